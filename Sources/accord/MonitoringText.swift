import AccordCore
import AccordKit

/// The urine drug tests and PDMP checks of `accord patient show`, newest first.
enum MonitoringText {
    static let shown = 3

    static func lines(_ record: PatientRecord, calendar: ClinicCalendar) -> [String] {
        var lines = ["Urine drug tests" + (record.drugTests.count > shown ? " (the latest \(shown) of \(record.drugTests.count))" : "")]
        if record.drugTests.isEmpty { lines.append("  none recorded (accord udt record)") }
        let tests = record.drugTests.sorted { ($0.day(calendar) ?? record.born) < ($1.day(calendar) ?? record.born) }
        for test in tests.suffix(shown).reversed() {
            lines.append("  \(test.day(calendar)?.description ?? "?"): \(test.result.rawValue)\(test.detail.map { " (\($0))" } ?? "")\(discussion(test.result == .unexpected, test.discussion))  [entry \(test.entry.short)]")
        }
        lines.append("PDMP checks" + (record.pdmpChecks.count > shown ? " (the latest \(shown) of \(record.pdmpChecks.count))" : ""))
        if record.pdmpChecks.isEmpty { lines.append("  none recorded (accord pdmp record)") }
        let checks = record.pdmpChecks.sorted { ($0.day(calendar) ?? record.born) < ($1.day(calendar) ?? record.born) }
        for check in checks.suffix(shown).reversed() {
            let findings = check.findings.map { $0 == .none ? "no concerning findings" : "concerning findings" } ?? "checked at a check-in"
            lines.append("  \(check.day(calendar)?.description ?? "?"): \(findings)\(check.detail.map { " (\($0))" } ?? "")\(discussion(check.findings == .concerning, check.discussion))  [entry \(check.entry.short)]")
        }
        return lines
    }

    private static func discussion(_ needed: Bool, _ discussion: DiscussionState?) -> String {
        guard needed else { return "" }
        guard let discussion else { return "; NOT YET DISCUSSED with the patient" }
        return "; discussed \(discussion.on?.description ?? "")\(discussion.note.map { ": \($0)" } ?? "")"
    }
}
