import AccordCore
import Foundation
import Testing

@Suite("Risk flags")
struct FlagTests {
    let patient = DayByDay.patient

    func at(_ days: Int64, _ payload: EventPayload) -> Event { DayByDay.at(days, payload) }

    func record(_ events: [Event]) throws -> PatientRecord {
        let registration = at(0, .patientRegistered(PatientRegistered(name: "Flag Test", born: LocalDate("1970-01-01")!)))
        return try #require(Projection.fold([registration] + events))
    }

    func keys(_ events: [Event], on day: Int, settings: FlagSettings = FlagSettings()) throws -> [String] {
        PatientFlags.evaluate(try record(events), on: LocalDate("2026-01-01")!.adding(days: day), settings: settings).map(\.key)
    }

    func meds(_ days: Int64, _ list: String...) -> Event { at(days, .medicationsChanged(MedicationsChanged(medications: list))) }
    /// A check-in; its urine drug test (expected unless told) keeps the yearly test from being due in tests of other flags.
    func checkin(_ days: Int64, pdmp: Bool? = nil, naloxone: Bool? = nil, drugTest: UrineDrugTest? = .expected) -> Event {
        at(days, .checkinRecorded(CheckinRecorded(peg: [5, 5, 5], naloxoneOnHand: naloxone, pdmpChecked: pdmp, urineDrugTest: drugTest)))
    }
    func goal(_ days: Int64) -> Event { at(days, .goalSet(GoalSet(goal: "9a2e3c7d-0b4f-4a51-9c3e-1d2f3a4b5c6d", description: "walk"))) }

    @Test("a quiet record raises no flags")
    func quiet() throws {
        #expect(try keys([meds(1, "tramadol 50 mg bid"), goal(1), checkin(10, pdmp: true)], on: 20).isEmpty)
        #expect(try keys([], on: 20).isEmpty)
    }

    @Test("50 MME/day, the 2016 threshold of 90, and naloxone not on hand")
    func highDose() throws {
        let flags = try keys([meds(1, "oxycodone 20 mg q6h"), goal(1), checkin(10, pdmp: true)], on: 20)
        #expect(flags == ["mme-50", "mme-90-2016", "naloxone-not-on-hand"])
        let withNaloxone = try keys([meds(1, "oxycodone 10 mg q6h", "naloxone 4 mg nasal spray"), goal(1), checkin(10, pdmp: true)], on: 20)
        #expect(withNaloxone == ["mme-50"])
        let checkinSaysYes = try keys([meds(1, "oxycodone 10 mg q6h"), goal(1), checkin(10, pdmp: true, naloxone: true)], on: 20)
        #expect(checkinSaysYes == ["mme-50"])
        let laterNo = try keys([meds(1, "oxycodone 10 mg q6h"), goal(1), checkin(10, pdmp: true, naloxone: true), checkin(12, naloxone: false)], on: 20)
        #expect(laterNo.contains("naloxone-not-on-hand"))
    }

    @Test("a benzodiazepine with an opioid is flagged and makes naloxone indicated")
    func depressant() throws {
        let flags = try keys([meds(1, "tramadol 50 mg bid", "lorazepam 1 mg bid"), goal(1), checkin(10, pdmp: true)], on: 20)
        #expect(flags == ["cns-depressant", "naloxone-not-on-hand"])
    }

    @Test("PDMP: never checked, or older than the configured window")
    func pdmp() throws {
        #expect(try keys([meds(1, "tramadol 50 mg bid"), goal(1), checkin(10)], on: 20) == ["pdmp-overdue"])
        let checked = [meds(1, "tramadol 50 mg bid"), goal(1), checkin(10, pdmp: true), checkin(80)]
        #expect(try keys(checked, on: 95).isEmpty)
        #expect(try keys(checked, on: 95, settings: FlagSettings(pdmpDays: 30)) == ["pdmp-overdue"])
    }

    @Test("re-evaluation: within 4 weeks of a start or increase, then at least every 3 months")
    func reevaluation() throws {
        #expect(try keys([meds(1, "tramadol 50 mg bid"), goal(1)], on: 20) == ["pdmp-overdue", "drug-test-due"])
        #expect(try keys([meds(1, "tramadol 50 mg bid"), goal(1)], on: 40).contains("reevaluation-overdue"))
        let increased = [meds(1, "tramadol 50 mg bid"), goal(1), checkin(10, pdmp: true), meds(20, "tramadol 50 mg qid")]
        #expect(try keys(increased, on: 60).contains("reevaluation-overdue"))
        #expect(try !keys(increased + [checkin(30, pdmp: true)], on: 60).contains("reevaluation-overdue"))
        let longAgo = [meds(1, "tramadol 50 mg bid"), goal(1), checkin(10, pdmp: true), checkin(40, pdmp: true)]
        #expect(try keys(longAgo, on: 125).isEmpty)
        #expect(try keys(longAgo, on: 135) == ["pdmp-overdue", "checkin-overdue"])
    }

    @Test("agreements past or near their renewal date")
    func agreements() throws {
        let signed = at(1, .agreementSigned(AgreementSigned(agreement: "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091", clauses: ["one-pharmacy"],
                                                           effectiveOn: LocalDate("2026-01-02")!, renewOn: LocalDate("2026-03-01")!, method: .inPerson)))
        #expect(try keys([signed], on: 20).isEmpty)
        #expect(try keys([signed], on: 40) == ["agreement-renewal-due"])
        #expect(try keys([signed], on: 80) == ["agreement-expired"])
    }

    @Test("opioids for 90 days or more with no active functional goal")
    func noGoal() throws {
        let events = [meds(1, "tramadol 50 mg bid"), checkin(80, pdmp: true)]
        #expect(try !keys(events, on: 85).contains("no-functional-goal"))
        #expect(try keys(events, on: 95).contains("no-functional-goal"))
        #expect(try !keys(events + [goal(90)], on: 95).contains("no-functional-goal"))
    }

    @Test("a recorded taper faster than the guide for long-term use")
    func fastTaper() throws {
        let steps = [TaperStep(on: LocalDate("2026-02-01")!, dailyDose: 30, unit: "mg"), TaperStep(on: LocalDate("2026-02-08")!, dailyDose: 20, unit: "mg"),
                     TaperStep(on: LocalDate("2026-02-15")!, dailyDose: 0, unit: "mg")]
        let taper = at(30, .taperStarted(TaperStarted(plan: "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", medication: "oxycodone 10 mg q6h", ratePercent: 25, intervalDays: 7, basis: .current, durationOfUse: .longTerm, steps: steps)))
        #expect(try keys([taper], on: 31) == ["taper-too-fast"])
    }

    @Test("a medication line that cannot be read is flagged, not silently dropped")
    func unreadable() throws {
        let flags = PatientFlags.evaluate(try record([meds(1, "oxycodone lots q6h"), goal(1)]), on: LocalDate("2026-01-05")!)
        #expect(flags.map(\.key) == ["medication-unreadable", "mme-incomplete"])
        #expect(flags[0].why.contains("'lots'"))
    }

    @Test("every flag names its source and says why")
    func everyFlagExplained() throws {
        let events = [meds(1, "oxycodone 30 mg q6h", "alprazolam 1 mg tid", "mystery pill q6h"), checkin(2)]
        let flags = PatientFlags.evaluate(try record(events + [at(3, .riskFactorsRecorded(RiskFactorsRecorded(present: [.overdoseHistory])))]), on: LocalDate("2026-06-01")!)
        #expect(flags.count >= 8)
        #expect(flags.allSatisfy { !$0.source.isEmpty && !$0.why.isEmpty && !$0.title.isEmpty })
    }
}

@Suite("Naloxone and risk factors (CDC 2022, recommendation 8)")
struct NaloxoneFlagTests {
    let patient = DayByDay.patient

    func at(_ days: Int64, _ payload: EventPayload) -> Event { DayByDay.at(days, payload) }

    func flags(_ events: [Event], born: String = "1970-01-01", on: Int = 20) throws -> [RiskFlag] {
        let registration = at(0, .patientRegistered(PatientRegistered(name: "Risk Test", born: LocalDate(born)!)))
        let record = try #require(Projection.fold([registration] + events))
        return PatientFlags.evaluate(record, on: LocalDate("2026-01-01")!.adding(days: on))
    }

    func meds(_ list: String...) -> Event { at(1, .medicationsChanged(MedicationsChanged(medications: list))) }
    func risk(_ days: Int64 = 2, present: [RiskFactor] = [], absent: [RiskFactor] = []) -> Event {
        at(days, .riskFactorsRecorded(RiskFactorsRecorded(present: present, absent: absent)))
    }

    @Test("each recorded risk factor makes naloxone indicated for a patient on opioids", arguments: RiskFactor.allCases)
    func eachFactor(factor: RiskFactor) throws {
        let found = try flags([meds("tramadol 50 mg bid"), risk(present: [factor])])
        let flag = try #require(found.first { $0.key == "naloxone-not-on-hand" })
        #expect(flag.why.contains(factor.phrase))
        #expect(flag.source.contains("recommendation 8"))
        #expect(try !flags([meds("tramadol 50 mg bid"), risk(present: [factor]), risk(5, absent: [factor])]).contains { $0.key == "naloxone-not-on-hand" },
                "a later statement that the factor is absent replaces it")
        #expect(try !flags([meds("other: lisinopril 10 mg daily"), risk(present: [factor])]).contains { $0.key == "naloxone-not-on-hand" },
                "no opioid, no naloxone flag")
    }

    @Test("age 65 or over is read from the birth date")
    func age() throws {
        #expect(try flags([meds("tramadol 50 mg bid")], born: "1960-01-01").contains { $0.key == "naloxone-not-on-hand" && $0.why.contains("age 65") })
        #expect(try !flags([meds("tramadol 50 mg bid")], born: "1962-06-01").contains { $0.key == "naloxone-not-on-hand" })
    }

    @Test("treatment for opioid use disorder makes naloxone indicated; buprenorphine with naloxone is not a rescue supply")
    func opioidUseDisorder() throws {
        let found = try flags([meds("buprenorphine/naloxone 8/2 mg SL daily")])
        #expect(found.contains { $0.key == "naloxone-not-on-hand" && $0.why.contains("opioid use disorder") })
        #expect(found.contains { $0.key == "oud-treatment" })
        #expect(!found.contains { $0.key == "mme-50" })
        #expect(try !flags([meds("buprenorphine/naloxone 8/2 mg SL daily", "naloxone 4 mg nasal spray")]).contains { $0.key == "naloxone-not-on-hand" })
    }

    @Test("an opioid without a CDC 2022 factor counts as an opioid for every flag")
    func opioidWithoutFactor() throws {
        let keys = try flags([meds("meperidine 50 mg q4h", "alprazolam 1 mg bid")]).map(\.key)
        #expect(keys.contains("cns-depressant"))
        #expect(keys.contains("mme-incomplete"))
        #expect(keys.contains("naloxone-not-on-hand"))
        #expect(keys.contains("pdmp-overdue"))
        #expect(try flags([meds("levorphanol 2 mg q6h")], on: 40).map(\.key).contains("reevaluation-overdue"))
    }
}

@Suite("A worrying check-in during a taper (HHS 2019)")
struct TaperCheckinFlagTests {
    let plan = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"

    func at(_ days: Int64, _ payload: EventPayload, parents: [EventID] = []) -> Event { DayByDay.at(days, payload, parents: parents) }

    var started: Event {
        let steps = [TaperStep(on: LocalDate("2026-02-15")!, dailyDose: 35, unit: "mg"), TaperStep(on: LocalDate("2026-03-30")!, dailyDose: 30, unit: "mg")]
        return at(10, .taperStarted(TaperStarted(plan: plan, medication: "oxycodone 10 mg q6h", ratePercent: 10, intervalDays: 30, basis: .current, durationOfUse: .longTerm, steps: steps)))
    }

    func keys(_ events: [Event]) throws -> [String] {
        let registration = at(0, .patientRegistered(PatientRegistered(name: "Taper Test", born: LocalDate("1970-01-01")!)))
        let list = at(1, .medicationsChanged(MedicationsChanged(medications: ["oxycodone 10 mg q6h"])))
        let record = try #require(Projection.fold([registration, list] + events))
        return PatientFlags.evaluate(record, on: LocalDate("2026-03-01")!).map(\.key)
    }

    @Test("positive PHQ-2, self-harm concern, COWS 13 or more, or PEG 2 points worse raise the flag", arguments: [
        CheckinRecorded(phq2: [3, 3]), CheckinRecorded(phq2: [1, 2]), CheckinRecorded(selfHarmConcern: true),
        CheckinRecorded(cows: [4, 4, 5, 5, 4, 4, 5, 4, 4, 4, 5]), CheckinRecorded(cows: [2, 2, 1, 1, 2, 1, 1, 1, 1, 1, 0]),
        CheckinRecorded(peg: [7, 7, 7]),
    ])
    func worrying(checkin: CheckinRecorded) throws {
        let baseline = at(5, .checkinRecorded(CheckinRecorded(peg: [5, 5, 5])))
        #expect(try keys([baseline, started, at(20, .checkinRecorded(checkin))]).contains("taper-consider-pause"))
    }

    @Test("a reassuring check-in, one before the taper, or a taper already paused raise nothing", arguments: [
        CheckinRecorded(phq2: [1, 1]), CheckinRecorded(selfHarmConcern: false), CheckinRecorded(cows: [2, 2, 1, 1, 2, 1, 1, 1, 1, 0, 0]),
        CheckinRecorded(peg: [6, 6, 6]),
    ])
    func reassuring(checkin: CheckinRecorded) throws {
        let baseline = at(5, .checkinRecorded(CheckinRecorded(peg: [5, 5, 5])))
        #expect(try !keys([baseline, started, at(20, .checkinRecorded(checkin))]).contains("taper-consider-pause"))
    }

    @Test("the flag looks at the latest check-in since the taper began or resumed, and says to assess suicide risk")
    func timing() throws {
        let worrying = CheckinRecorded(phq2: [3, 3])
        #expect(try !keys([at(5, .checkinRecorded(worrying)), started]).contains("taper-consider-pause"), "before the taper")
        let paused = at(21, .taperPaused(TaperPaused(plan: plan, on: LocalDate("2026-01-22")!, reason: "low mood")), parents: [started.id])
        #expect(try !keys([started, at(20, .checkinRecorded(worrying)), paused]).contains("taper-consider-pause"), "already paused")
        let registration = at(0, .patientRegistered(PatientRegistered(name: "Taper Test", born: LocalDate("1970-01-01")!)))
        let record = try #require(Projection.fold([registration, at(1, .medicationsChanged(MedicationsChanged(medications: ["oxycodone 10 mg q6h"]))), started, at(20, .checkinRecorded(worrying))]))
        let flag = try #require(PatientFlags.evaluate(record, on: LocalDate("2026-03-01")!).first { $0.key == "taper-consider-pause" })
        #expect(flag.why.contains("suicide risk"))
        #expect(flag.source.contains("HHS 2019"))
    }
}

@Suite("The clinic's calendar")
struct ClinicCalendarTests {
    @Test("an entry's day and today follow the clinic's time zone, not UTC")
    func zone() throws {
        let denver = try #require(ClinicCalendar(identifier: "America/Denver"))
        #expect(denver.day(ofTimestamp: "2026-03-14T01:30:00.000Z") == LocalDate("2026-03-13"))
        #expect(denver.day(ofTimestamp: "2026-03-14T18:00:00.000Z") == LocalDate("2026-03-14"))
        #expect(ClinicCalendar.utc.day(ofTimestamp: "2026-03-14T01:30:00.000Z") == LocalDate("2026-03-14"))
        let tokyo = try #require(ClinicCalendar(identifier: "Asia/Tokyo"))
        #expect(tokyo.day(ofTimestamp: "2026-03-13T20:00:00.000Z") == LocalDate("2026-03-14"))
        #expect(ClinicCalendar(identifier: "Mars/Olympus") == nil)
        // 6 pm in Denver on 1 December is already 2 December in UTC.
        let evening = Date(timeIntervalSince1970: 1_796_173_200)  // 2026-12-02T01:00:00Z
        #expect(denver.day(at: evening) == LocalDate("2026-12-01"))
        #expect(ClinicCalendar.utc.day(at: evening) == LocalDate("2026-12-02"))
    }

    @Test("a PDMP check made in the clinic's evening counts for that day")
    func flagsUseTheZone() throws {
        let patient = "5f0c7a52-1b7e-4c59-8d0e-5e2f4a1b9c01"
        // 2026-01-11T02:00Z is the evening of 10 January in Denver.
        let registration = EventFixtures.event(patient: patient, wall: 1_767_225_600_000, .patientRegistered(PatientRegistered(name: "Z", born: LocalDate("1970-01-01")!)))
        let list = EventFixtures.event(patient: patient, wall: 1_767_225_600_001, .medicationsChanged(MedicationsChanged(medications: ["tramadol 50 mg bid"])))
        let checkin = EventFixtures.event(patient: patient, wall: 1_768_096_800_000, .checkinRecorded(CheckinRecorded(pdmpChecked: true)))
        let record = try #require(Projection.fold([registration, list, checkin]))
        let denver = FlagSettings(pdmpDays: 30, calendar: try #require(ClinicCalendar(identifier: "America/Denver")))
        let flag = try #require(PatientFlags.evaluate(record, on: LocalDate("2026-03-01")!, settings: denver).first { $0.key == "pdmp-overdue" })
        #expect(flag.why.contains("2026-01-10"))
    }
}

/// Events of one test patient placed a whole number of days after 2026-01-01, for the flag suites.
enum DayByDay {
    static let patient = "5f0c7a52-1b7e-4c59-8d0e-5e2f4a1b9c01"
    static let day: Int64 = 86_400_000
    static let base: Int64 = 1_767_225_600_000  // 2026-01-01

    static func at(_ days: Int64, _ payload: EventPayload, parents: [EventID] = []) -> Event {
        EventFixtures.event(patient: patient, wall: base + days * day, parents: parents, payload)
    }
}
