import AccordCore

extension Clinic {
    /// What a recorded result or finding is: a urine drug test or a PDMP check.
    public enum Finding: Sendable {
        case drugTest, pdmp
    }

    /// Records a urine drug test taken on `on` (today when nil). A pending result is settled by recording the test
    /// again, with the same day, once the result is back.
    public func recordDrugTest(_ chart: PatientChart, on day: LocalDate? = nil, result: UrineDrugTestResult, detail: String? = nil,
                               discussed: Bool = false) async throws(ClinicError) -> Recorded {
        let day = try observedDay(chart, day, "urine drug test") ?? chart.today
        guard !discussed || result == .unexpected else {
            throw ClinicError(.invalid, "Only an unexpected result is marked discussed; this one is \(result.rawValue).")
        }
        return try await record(chart, .urineDrugTestRecorded(UrineDrugTestRecorded(on: day, result: result, detail: detail, discussed: discussed ? true : nil)))
    }

    /// Records a check of the state prescription drug monitoring program on `on` (today when nil).
    public func recordPDMPCheck(_ chart: PatientChart, on day: LocalDate? = nil, findings: PDMPFindings, detail: String? = nil,
                                discussed: Bool = false) async throws(ClinicError) -> Recorded {
        let day = try observedDay(chart, day, "PDMP check") ?? chart.today
        guard !discussed || findings == .concerning else {
            throw ClinicError(.invalid, "Only concerning findings are marked discussed; this check found none.")
        }
        if findings == .concerning, detail == nil {
            throw ClinicError(.invalid, "Say what was concerning (other prescribers, overlapping or high combined doses) in the detail.")
        }
        return try await record(chart, .pdmpChecked(PDMPChecked(on: day, findings: findings, detail: detail, discussed: discussed ? true : nil)))
    }

    /// Records that an unexpected result or concerning findings were talked through with the patient on `on`
    /// (today when nil). `entry` names the result by entry id prefix; without it, the one waiting is taken.
    public func recordDiscussion(_ chart: PatientChart, of finding: Finding, entry reference: String? = nil, on day: LocalDate? = nil,
                                 note: String) async throws(ClinicError) -> Recorded {
        let calendar = chart.calendar
        let waiting: [(entry: EventID, day: LocalDate?)] = switch finding {
        case .drugTest: chart.record.drugTestsToDiscuss.map { ($0.entry, $0.day(calendar)) }
        case .pdmp: chart.record.pdmpChecksToDiscuss.map { ($0.entry, $0.day(calendar)) }
        }
        let what = finding == .drugTest ? "unexpected urine drug test result" : "concerning PDMP finding"
        let matches = reference.map { prefix in waiting.filter { $0.entry.hex.hasPrefix(prefix.lowercased()) } } ?? waiting
        guard matches.count == 1 else {
            if matches.isEmpty {
                throw ClinicError(.notFound, reference.map { "\(chart.record.name) has no \(what) waiting to be discussed with entry '\($0)'." }
                                  ?? "\(chart.record.name) has no \(what) waiting to be discussed.")
            }
            let listed = matches.map { "\($0.entry.short) (\($0.day?.description ?? "no day"))" }.joined(separator: ", ")
            throw ClinicError(.ambiguous, "\(chart.record.name) has \(matches.count) of them waiting: \(listed); name one by its entry.")
        }
        let day = try observedDay(chart, day, "conversation") ?? chart.today
        if let resultDay = matches[0].day, day < resultDay {
            throw ClinicError(.invalid, "The conversation (\(day)) cannot come before the result it is about (\(resultDay)).")
        }
        return try await record(chart, .findingDiscussed(FindingDiscussed(target: matches[0].entry, on: day, note: note)))
    }

    /// Checks the day something was observed or done, when one is given.
    func observedDay(_ chart: PatientChart, _ day: LocalDate?, _ what: String) throws(ClinicError) -> LocalDate? {
        guard let day else { return nil }
        try checking { () throws(RuleViolation) in
            try DateSense.observed(day, what, record: chart.record, today: chart.today, calendar: chart.calendar)
        }
        return day
    }
}
