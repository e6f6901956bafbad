import AccordKit
import Foundation
import Testing

/// A clinic day through the app core: finding patients, duplicates, tests and PDMP checks with their conversations,
/// dated entries and the worklist.
@Suite("A clinic day in the app core")
struct ClinicDayTests {
    let clinic: Clinic

    init() throws {
        clinic = Clinic(store: try EventStore.inMemory(site: "north", clinicianName: "Dr. Ana Reyes"))
    }

    func register(_ name: String, born: String = "1961-04-03", mrn: String? = nil) async throws -> PatientChart {
        try clinic.chart(try await clinic.registerPatient(name: name, born: LocalDate(born)!, mrn: mrn).patient)
    }

    func expectCode<T>(_ code: ClinicError.Code, _ text: String, sourceLocation: SourceLocation = #_sourceLocation,
                       _ body: () async throws -> T) async {
        do {
            _ = try await body()
            Issue.record("expected a \(code) error", sourceLocation: sourceLocation)
        } catch let error as ClinicError {
            #expect(error.code == code && error.message.contains(text), "\(error.message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected a ClinicError, got \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("patients are found by part of a name in any case and without accents, by MRN and by birth date")
    func find() async throws {
        let jose = try await register("José Álvarez Núñez", mrn: "A-17")
        _ = try await register("Ana Reyes", born: "1980-02-02")
        #expect(try clinic.findPatients("jose alv").map(\.id) == [jose.record.id])
        #expect(try clinic.findPatients("NUNEZ").map(\.id) == [jose.record.id])
        #expect(try clinic.findPatients("a-17").map(\.id) == [jose.record.id])
        #expect(try clinic.findPatients("1980-02-02").map(\.name) == ["Ana Reyes"])
        #expect(try clinic.findPatients(String(jose.record.id.prefix(6))).map(\.id) == [jose.record.id])
        #expect(try clinic.findPatients("zed").isEmpty)
        await expectCode(.invalid, "Give part of a name") { try clinic.findPatients("  ") }
    }

    @Test("the same name and birth date is a likely duplicate: refused until confirmed; birth dates cannot be ahead")
    func duplicates() async throws {
        _ = try await register("Maria Lopez")
        await expectCode(.likelyDuplicate, "may be the same person") { try await clinic.registerPatient(name: "maria  LÓPEZ", born: LocalDate("1961-04-03")!) }
        #expect(try clinic.patients().count == 1)
        _ = try await clinic.registerPatient(name: "Maria Lopez", born: LocalDate("1961-04-03")!, confirmDuplicate: true)
        _ = try await clinic.registerPatient(name: "Maria Lopez", born: LocalDate("1962-04-03")!)
        #expect(try clinic.patients().count == 3)
        await expectCode(.invalid, "is after today") { try await clinic.registerPatient(name: "Future", born: try clinic.today().adding(days: 1)) }
    }

    @Test("a registration marked entered in error no longer lists the patient")
    func registrationInError() async throws {
        let chart = try await register("Wrong Person")
        _ = try await clinic.markEnteredInError(chart, entry: try #require(chart.events.first), reason: "registered the wrong chart")
        #expect(try clinic.patients().isEmpty)
        #expect(try clinic.findPatients("wrong").isEmpty)
    }

    @Test("tests and PDMP checks: their own entries, their conversations, and the failure paths")
    func monitoring() async throws {
        var chart = try await register("Tess Test")
        let today = chart.today
        await expectCode(.invalid, "after today") { try await clinic.recordDrugTest(chart, on: today.adding(days: 1), result: .expected) }
        await expectCode(.invalid, "before the patient was registered") { try await clinic.recordDrugTest(chart, on: today.adding(days: -1), result: .expected) }
        await expectCode(.invalid, "Only an unexpected result") { try await clinic.recordDrugTest(chart, result: .expected, discussed: true) }
        await expectCode(.invalid, "Say what was concerning") { try await clinic.recordPDMPCheck(chart, findings: .concerning) }
        await expectCode(.notFound, "no unexpected urine drug test result") { try await clinic.recordDiscussion(chart, of: .drugTest, note: "x") }
        #expect(try clinic.store.eventCount() == 1)

        let first = try await clinic.recordDrugTest(chart, result: .unexpected, detail: "fentanyl")
        let second = try await clinic.recordDrugTest(chart, result: .unexpected, detail: "cocaine")
        _ = try await clinic.recordPDMPCheck(chart, findings: .concerning, detail: "a second prescriber")
        chart = try clinic.chart(chart.record.id)
        #expect(chart.record.drugTestsToDiscuss.count == 2 && chart.record.pdmpChecksToDiscuss.count == 1)
        await expectCode(.ambiguous, "2 of them waiting") { try await clinic.recordDiscussion(chart, of: .drugTest, note: "x") }
        let talked = try await clinic.recordDiscussion(chart, of: .drugTest, entry: String(second.event.id.hex.prefix(8)), note: "not taken; agreed to confirm")
        #expect(talked.event.envelope.parents == [chart.record.registered.event])
        _ = try await clinic.recordDiscussion(chart, of: .pdmp, note: "the other prescriber was a dentist")
        chart = try clinic.chart(chart.record.id)
        #expect(chart.record.drugTestsToDiscuss.map(\.entry) == [first.event.id])
        #expect(chart.record.pdmpChecksToDiscuss.isEmpty)
        let timeline = Timeline.entries(chart.events).map(\.summary)
        #expect(timeline.contains { $0.hasPrefix("Urine drug test on \(today): unexpected (fentanyl)") })
        #expect(timeline.contains { $0.hasPrefix("Discussed entry \(second.event.id.short)") })
    }

    @Test("dated entries: a check-in, a goal review and a medication list keep the day they happened apart from when they were recorded")
    func datedEntries() async throws {
        var chart = try await register("Dana Dated")
        let today = chart.today
        await expectCode(.invalid, "after today") { try await clinic.recordCheckin(chart, CheckinRecorded(peg: [5, 5, 5], on: today.adding(days: 2))) }
        await expectCode(.invalid, "before the patient was born") {
            try await clinic.recordCheckin(chart, CheckinRecorded(peg: [5, 5, 5], on: LocalDate("1950-01-01")!))
        }
        await expectCode(.invalid, "in the past") { try await clinic.recordCheckin(chart, CheckinRecorded(peg: [5, 5, 5], nextVisit: LocalDate("2020-01-01")!)) }
        await expectCode(.invalid, "needs at least one finding") { try await clinic.recordCheckin(chart, CheckinRecorded(on: today)) }
        await expectCode(.invalid, "has already passed") { try await clinic.setGoal(chart, description: "walk", target: LocalDate("2019-01-01")!) }
        await expectCode(.invalid, "more than 2 years away") { try await clinic.signAgreement(chart, renewOn: today.adding(years: 3)) }
        await expectCode(.invalid, "before the patient was registered") {
            try clinic.proposeTaper(chart, medication: "oxycodone 10 mg q6h", ratePercent: 10, intervalDays: 30, start: today.adding(days: -30))
        }
        await expectCode(.invalid, "more than a year away") {
            try clinic.proposeTaper(chart, medication: "oxycodone 10 mg q6h", ratePercent: 10, intervalDays: 30, start: LocalDate("2036-01-01")!)
        }
        #expect(try clinic.store.eventCount() == 1)

        let checkin = try await clinic.recordCheckin(chart, CheckinRecorded(peg: [6, 6, 6], on: today))
        if case .checkinRecorded(let recorded) = checkin.recorded.event.envelope.payload { #expect(recorded.on == today) }
        _ = try await clinic.setGoal(chart, description: "walk to the mailbox", target: today.adding(days: 60))
        chart = try clinic.chart(chart.record.id)
        let review = try await clinic.reviewGoal(chart, goal: try chart.goal("1"), progress: .some, on: today)
        if case .goalReviewed(let reviewed) = review.event.envelope.payload { #expect(reviewed.on == today) }
        let (meds, _) = try await clinic.recordMedications(chart, ["tramadol 50 mg bid"], on: today)
        if case .medicationsChanged(let list) = meds.event.envelope.payload { #expect(list.on == today) }
    }

    @Test("the worklist covers every patient of the store, and refuses a window it cannot use")
    func worklist() async throws {
        let lopez = try await register("Maria Lopez")
        _ = try await clinic.recordMedications(lopez, ["oxycodone 10 mg q6h"])
        let quiet = try await register("Quinn Quiet", born: "1990-01-01")
        let items = try clinic.worklist()
        #expect(Set(items.map(\.patient)) == [lopez.record.id])
        #expect(items.contains { $0.key == "pdmp-overdue" && $0.group == .checks })
        #expect(items.contains { $0.key == "naloxone-not-on-hand" && $0.group == .safety })
        #expect(!items.contains { $0.patient == quiet.record.id })
        await expectCode(.invalid, "1 to 366 days") { try clinic.worklist(days: 0) }
    }
}
