/// A urine drug test as the record has it: from its own entry, or from a check-in that noted a result.
public struct UrineDrugTestState: Codable, Sendable, Equatable {
    /// The entry that recorded it (a `urineDrugTest.recorded` or a check-in).
    public var entry: EventID
    /// The day the sample was taken; nil for a check-in recorded without a day, which counts on the day it was recorded.
    public var on: LocalDate?
    /// The result, or pending.
    public var result: UrineDrugTestResult
    /// What was found or missing.
    public var detail: String?
    /// The conversation about an unexpected result, once had.
    public var discussion: DiscussionState?
    /// Who recorded it, where and when.
    public var stamp: Stamp

    /// The day the sample was taken, on the clinic's calendar.
    public func day(_ calendar: ClinicCalendar) -> LocalDate? { on ?? calendar.day(ofTimestamp: stamp.at) }
}

/// A PDMP check as the record has it: from its own entry, or from a check-in that noted one.
public struct PDMPCheckState: Codable, Sendable, Equatable {
    /// The entry that recorded it (a `pdmp.checked` or a check-in).
    public var entry: EventID
    /// The day of the check; nil for a check-in recorded without a day.
    public var on: LocalDate?
    /// What it showed; nil when a check-in noted only that the database was checked.
    public var findings: PDMPFindings?
    /// What was found.
    public var detail: String?
    /// The conversation about concerning findings, once had.
    public var discussion: DiscussionState?
    /// Who recorded it, where and when.
    public var stamp: Stamp

    /// The day of the check, on the clinic's calendar.
    public func day(_ calendar: ClinicCalendar) -> LocalDate? { on ?? calendar.day(ofTimestamp: stamp.at) }
}

/// A conversation with the patient about a result or a finding.
public struct DiscussionState: Codable, Sendable, Equatable {
    /// The day of the conversation.
    public var on: LocalDate?
    /// What was said and agreed.
    public var note: String?
    /// Who recorded it, where and when.
    public var stamp: Stamp
}

extension PatientRecord {
    /// Urine drug tests whose unexpected result has not been talked through with the patient.
    public var drugTestsToDiscuss: [UrineDrugTestState] { drugTests.filter { $0.result == .unexpected && $0.discussion == nil } }

    /// PDMP checks whose concerning findings have not been talked through with the patient.
    public var pdmpChecksToDiscuss: [PDMPCheckState] { pdmpChecks.filter { $0.findings == .concerning && $0.discussion == nil } }

    /// Pending urine drug tests that no later test entry settles.
    public func pendingDrugTests(_ calendar: ClinicCalendar) -> [UrineDrugTestState] {
        drugTests.enumerated().filter { index, test in
            guard test.result == .pending, let day = test.day(calendar) else { return false }
            return !drugTests[(index + 1)...].contains { $0.result != .pending && ($0.day(calendar) ?? day) >= day }
        }.map(\.element)
    }

    /// Check-ins in the order of the day each visit took place (the day recorded when no other was given).
    public func checkinsByDay(_ calendar: ClinicCalendar) -> [(day: LocalDate, checkin: CheckinState)] {
        checkins.compactMap { checkin in checkin.day(calendar).map { ($0, checkin) } }
            .enumerated().sorted { ($0.element.day, $0.offset) < ($1.element.day, $1.offset) }.map(\.element)
    }
}

extension CheckinState {
    /// The day of the visit, on the clinic's calendar.
    public func day(_ calendar: ClinicCalendar) -> LocalDate? { recorded.on ?? calendar.day(ofTimestamp: stamp.at) }
}

extension GoalReviewState {
    /// The day of the review, on the clinic's calendar.
    public func day(_ calendar: ClinicCalendar) -> LocalDate? { on ?? calendar.day(ofTimestamp: stamp.at) }
}

extension MedicationListState {
    /// The day the list took effect, on the clinic's calendar.
    public func day(_ calendar: ClinicCalendar) -> LocalDate? { on ?? calendar.day(ofTimestamp: stamp.at) }
}
