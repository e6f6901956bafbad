import AccordCore
import Foundation
import Testing

/// Urine drug tests, PDMP checks, dated entries and the worklist, on the pure core.
@Suite("Monitoring, dated entries and the day's worklist")
struct MonitoringTests {
    func at(_ days: Int64, _ payload: EventPayload, parents: [EventID] = []) -> Event { DayByDay.at(days, payload, parents: parents) }
    func day(_ offset: Int) -> LocalDate { LocalDate("2026-01-01")!.adding(days: offset) }

    func record(_ events: [Event]) throws -> PatientRecord {
        let registration = at(0, .patientRegistered(PatientRegistered(name: "Uma Monitor", born: LocalDate("1970-01-01")!)))
        return try #require(Projection.fold([registration] + events))
    }

    func keys(_ events: [Event], on offset: Int) throws -> [String] {
        PatientFlags.evaluate(try record(events), on: day(offset)).map(\.key)
    }

    let opioid = DayByDay.at(1, .medicationsChanged(MedicationsChanged(medications: ["tramadol 50 mg bid"])))
    let goal = DayByDay.at(1, .goalSet(GoalSet(goal: "9a2e3c7d-0b4f-4a51-9c3e-1d2f3a4b5c6d", description: "walk")))
    func visit(_ days: Int64, on: Int? = nil, next: Int? = nil) -> Event {
        at(days, .checkinRecorded(CheckinRecorded(peg: [5, 5, 5], nextVisit: next.map(day), on: on.map(day))))
    }
    func drugTest(_ days: Int64, on: Int, _ result: UrineDrugTestResult, discussed: Bool? = nil) -> Event {
        at(days, .urineDrugTestRecorded(UrineDrugTestRecorded(on: day(on), result: result, detail: "fentanyl", discussed: discussed)))
    }
    func pdmp(_ days: Int64, on: Int, _ findings: PDMPFindings) -> Event {
        at(days, .pdmpChecked(PDMPChecked(on: day(on), findings: findings, detail: findings == .concerning ? "second prescriber" : nil)))
    }

    @Test("a patient on opioids needs a PDMP check every 90 days and a urine drug test every year; each is due until recorded")
    func checksDue() throws {
        #expect(try keys([opioid, goal, visit(5)], on: 10) == ["pdmp-overdue", "drug-test-due"])
        let monitored = [opioid, goal, visit(5), pdmp(5, on: 5, .none), drugTest(5, on: 5, .expected)]
        #expect(try keys(monitored, on: 10).isEmpty)
        #expect(try keys(monitored + [visit(94)], on: 96) == ["pdmp-overdue"])
        #expect(try keys(monitored + [visit(300), pdmp(300, on: 300, .none)], on: 371) == ["drug-test-due"])
        // Without opioids neither is asked for.
        #expect(try keys([goal, visit(5)], on: 10).isEmpty)
    }

    @Test("an unexpected result is flagged with its talking points until the conversation is recorded")
    func unexpectedResult() throws {
        let test = drugTest(5, on: 5, .unexpected)
        let events = [opioid, goal, visit(5), pdmp(5, on: 5, .none), test]
        let flag = try #require(PatientFlags.evaluate(try record(events), on: day(6)).first { $0.key == "drug-test-unexpected" })
        #expect(flag.why.contains("The result: fentanyl") && flag.why.contains("accord coach unexpected-test"))
        #expect(flag.source.contains("recommendation 10") && flag.since == "2026-01-06")
        let talked = at(7, .findingDiscussed(FindingDiscussed(target: test.id, on: day(7), note: "prescribed elsewhere")), parents: [test.id])
        let after = try record(events + [talked])
        #expect(!PatientFlags.evaluate(after, on: day(8)).contains { $0.key == "drug-test-unexpected" })
        #expect(after.drugTests.first?.discussion?.note == "prescribed elsewhere")
        // Discussed at the visit itself: no flag at all.
        #expect(try !keys([opioid, goal, visit(5), pdmp(5, on: 5, .none), drugTest(5, on: 5, .unexpected, discussed: true)], on: 6).contains("drug-test-unexpected"))
        // A check-in that noted an unexpected result raises the same flag.
        let atVisit = at(5, .checkinRecorded(CheckinRecorded(peg: [5, 5, 5], pdmpChecked: true, urineDrugTest: .unexpected)))
        #expect(try keys([opioid, goal, atVisit], on: 6) == ["drug-test-unexpected"])
    }

    @Test("concerning PDMP findings are flagged until discussed; a pending test until a result for that day or later")
    func pdmpAndPending() throws {
        let check = pdmp(5, on: 5, .concerning)
        let events = [opioid, goal, visit(5), check, drugTest(5, on: 5, .pending)]
        #expect(try keys(events, on: 6) == ["pdmp-concerning", "drug-test-pending"])
        let talked = at(7, .findingDiscussed(FindingDiscussed(target: check.id, on: day(7), note: "dentist")), parents: [check.id])
        #expect(try keys(events + [talked, drugTest(9, on: 5, .expected)], on: 10).isEmpty)
        // A result for an earlier sample does not settle a later pending one.
        #expect(try keys(events + [talked, drugTest(9, on: 3, .expected)], on: 10) == ["drug-test-pending"])
    }

    @Test("a check-in entered later counts on the day of the visit: trends, the overdue visit and re-evaluation use it")
    func datedCheckins() throws {
        // Entered on day 40 for a visit on day 10, after a visit recorded on day 20.
        let events = [opioid, goal, visit(20, next: 50), visit(40, on: 10, next: 30)]
        let record = try record(events)
        #expect(record.checkinsByDay(.utc).map(\.day) == [day(10), day(20)])
        let peg = try #require(PatientTrends.series(record, calendar: .utc).first { $0.key == "peg" })
        #expect(peg.points.map(\.day) == [day(10), day(20)])
        // The latest visit (day 20) set the next one for day 50: overdue from day 51, not from day 31.
        #expect(try !keys(events, on: 45).contains("visit-overdue"))
        let overdue = try #require(PatientFlags.evaluate(record, on: day(51)).first { $0.key == "visit-overdue" })
        #expect(overdue.title.contains("2026-02-20") && overdue.since == "2026-02-20")
    }

    @Test("date sense: no visit in the future or before birth or registration; next visits and goal targets ahead")
    func dateSense() throws {
        let patient = try record([])
        let today = day(30)
        #expect(throws: RuleViolation.self) { try DateSense.observed(day(31), "check-in", record: patient, today: today, calendar: .utc) }
        #expect(throws: RuleViolation.self) { try DateSense.observed(LocalDate("1969-12-31")!, "check-in", record: patient, today: today, calendar: .utc) }
        #expect(throws: RuleViolation.self) { try DateSense.observed(day(-1), "check-in", record: patient, today: today, calendar: .utc) }
        try DateSense.observed(day(0), "check-in", record: patient, today: today, calendar: .utc)
        try DateSense.observed(today, "check-in", record: patient, today: today, calendar: .utc)
        #expect(throws: RuleViolation.self) { try DateSense.nextVisit(LocalDate("2020-01-01")!, after: today, today: today) }
        #expect(throws: RuleViolation.self) { try DateSense.nextVisit(today, after: today, today: today) }
        #expect(throws: RuleViolation.self) { try DateSense.nextVisit(today.adding(days: 400), after: today, today: today) }
        // A visit entered later may have set a next visit that has passed since.
        try DateSense.nextVisit(day(20), after: day(10), today: today)
        #expect(throws: RuleViolation.self) { try DateSense.goalTarget(LocalDate("2019-06-01")!, today: today) }
        #expect(throws: RuleViolation.self) { try DateSense.goalTarget(today.adding(years: 6), today: today) }
        try DateSense.goalTarget(today.adding(days: 90), today: today)
        #expect(throws: RuleViolation.self) { try DateSense.birth(today.adding(days: 1), today: today) }
    }

    @Test("the worklist groups each patient's items by urgency, oldest first, and lists taper steps due in the window")
    func worklist() throws {
        let quiet = try record([opioid, goal, visit(5), pdmp(5, on: 5, .none), drugTest(5, on: 5, .expected)])
        let busy = try record([opioid, goal, visit(5), pdmp(5, on: 5, .concerning)])
        let items = Worklist.items([quiet, busy], on: day(120), days: 7, settings: FlagSettings())
        #expect(items.map(\.group) == items.map(\.group).sorted { WorkGroup.allCases.firstIndex(of: $0)! < WorkGroup.allCases.firstIndex(of: $1)! })
        #expect(items.filter { $0.group == .results }.map(\.key) == ["pdmp-concerning"])
        #expect(items.contains { $0.group == .visits && $0.key == "checkin-overdue" })
        #expect(items.filter { $0.key == "pdmp-overdue" }.count == 2)
        #expect(items.allSatisfy { $0.key == "conflict" || $0.source?.isEmpty == false })
        let checks = items.filter { $0.group == .checks }
        #expect(checks.map(\.since) == checks.map(\.since).sorted { ($0 ?? LocalDate("1900-01-01")!) < ($1 ?? LocalDate("1900-01-01")!) })
        #expect(Worklist.items([], on: day(1), days: 7, settings: FlagSettings()).isEmpty)
    }
}
