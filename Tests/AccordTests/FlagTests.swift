import AccordCore
import Foundation
import Testing

@Suite("Risk flags")
struct FlagTests {
    let patient = "5f0c7a52-1b7e-4c59-8d0e-5e2f4a1b9c01"
    let day: Int64 = 86_400_000
    let base: Int64 = 1_767_225_600_000  // 2026-01-01

    func at(_ days: Int64, _ payload: EventPayload) -> Event {
        EventFixtures.event(patient: patient, wall: base + days * day, payload)
    }

    func record(_ events: [Event]) throws -> PatientRecord {
        let registration = at(0, .patientRegistered(PatientRegistered(name: "Flag Test", born: LocalDate("1960-01-01")!)))
        return try #require(Projection.fold([registration] + events))
    }

    func keys(_ events: [Event], on day: Int, settings: FlagSettings = FlagSettings()) throws -> [String] {
        PatientFlags.evaluate(try record(events), on: LocalDate("2026-01-01")!.adding(days: day), settings: settings).map(\.key)
    }

    func meds(_ days: Int64, _ list: String...) -> Event { at(days, .medicationsChanged(MedicationsChanged(medications: list))) }
    func checkin(_ days: Int64, pdmp: Bool? = nil, naloxone: Bool? = nil) -> Event {
        at(days, .checkinRecorded(CheckinRecorded(peg: [5, 5, 5], naloxoneOnHand: naloxone, pdmpChecked: pdmp)))
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
        #expect(try keys([meds(1, "tramadol 50 mg bid"), goal(1)], on: 20).filter { $0 != "pdmp-overdue" }.isEmpty)
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
        #expect(flags.map(\.key) == ["medication-unreadable"])
        #expect(flags[0].why.contains("'lots'"))
    }

    @Test("every flag names its source and says why")
    func everyFlagExplained() throws {
        let events = [meds(1, "oxycodone 30 mg q6h", "alprazolam 1 mg tid", "mystery pill q6h"), checkin(2)]
        let flags = PatientFlags.evaluate(try record(events), on: LocalDate("2026-06-01")!)
        #expect(flags.count >= 6)
        #expect(flags.allSatisfy { !$0.source.isEmpty && !$0.why.isEmpty && !$0.title.isEmpty })
    }
}
