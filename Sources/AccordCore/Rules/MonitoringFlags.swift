/// Flags from the monitoring that long-term opioid therapy asks for: PDMP checks and urine drug tests that are due,
/// results and findings still to talk through with the patient, results still pending, and visits missed.
enum MonitoringFlags {
    static let pdmpSource = Source.cdc2022.rawValue + ", recommendation 9"
    static let drugTestSource = Source.cdc2022.rawValue + ", recommendation 10"

    /// A PDMP check or a urine drug test older than the site's window, or never recorded.
    static func checksDue(_ record: PatientRecord, today: LocalDate, settings: FlagSettings) -> [RiskFlag] {
        let calendar = settings.calendar
        return [
            due("pdmp-overdue", "PDMP check", last: record.pdmpChecks.compactMap { $0.day(calendar) }.max(), within: settings.pdmpDays, today: today,
                what: "Check the state database before starting and at least every 3 months on long-term therapy (accord pdmp record).", source: pdmpSource),
            due("drug-test-due", "urine drug test", last: record.drugTests.compactMap { $0.day(calendar) }.max(), within: settings.drugTestDays, today: today,
                what: "Consider one before starting and at least once a year on long-term therapy (accord udt record).", source: drugTestSource),
        ].compactMap { $0 }
    }

    private static func due(_ key: String, _ check: String, last: LocalDate?, within days: Int, today: LocalDate, what: String, source: String) -> RiskFlag? {
        guard last.map({ $0.days(until: today) > days }) ?? true else { return nil }
        return RiskFlag(key: key, title: "No \(check) in the last \(days) days",
                        why: (last.map { "The last recorded \(check) was on \($0)." } ?? "No \(check) is recorded.") + " " + what,
                        since: last?.description, source: source)
    }

    /// Unexpected results and concerning findings not yet talked through, and results still pending.
    static func results(_ record: PatientRecord, today: LocalDate, calendar: ClinicCalendar) -> [RiskFlag] {
        var flags: [RiskFlag] = []
        for test in record.drugTestsToDiscuss {
            let day = test.day(calendar)
            flags.append(RiskFlag(
                key: "drug-test-unexpected", title: "Unexpected urine drug test result not yet discussed",
                why: "\(test.detail.map { "The result: \($0). " } ?? "")Talk it through with the patient and confirm it with the laboratory before any decision; an unexpected result is not a reason to end care (accord coach unexpected-test; record the conversation with accord udt discuss).",
                since: day?.description, source: drugTestSource))
        }
        for check in record.pdmpChecksToDiscuss {
            let day = check.day(calendar)
            flags.append(RiskFlag(
                key: "pdmp-concerning", title: "Concerning PDMP findings not yet discussed",
                why: "\(check.detail.map { "The findings: \($0). " } ?? "")Talk them through with the patient and the other prescriber before changing anything (accord coach pdmp-concern; record the conversation with accord pdmp discuss).",
                since: day?.description, source: pdmpSource))
        }
        for test in record.pendingDrugTests(calendar) {
            let day = test.day(calendar)
            flags.append(RiskFlag(
                key: "drug-test-pending", title: "Urine drug test awaiting its result",
                why: "Record the result when it comes back (accord udt record --on \(day?.description ?? "DAY") --result expected|unexpected).",
                since: day?.description, source: drugTestSource))
        }
        return flags
    }

    /// The next visit set at the latest check-in has passed with no check-in on or after it.
    static func visitOverdue(_ record: PatientRecord, today: LocalDate, calendar: ClinicCalendar) -> RiskFlag? {
        let visits = record.checkinsByDay(calendar)
        guard let latest = visits.last, let next = latest.checkin.recorded.nextVisit, next < today else { return nil }
        return RiskFlag(
            key: "visit-overdue", title: "Visit planned for \(next) has not happened",
            why: "The check-in on \(latest.day) set the next visit for \(next); no check-in is recorded since. Reach out to the patient and book it.",
            since: next.description, source: Source.cdc2022.rawValue + ", recommendation 7")
    }
}
