/// The result of a urine drug test, as its own entry (CDC 2022, recommendation 10).
public enum UrineDrugTestResult: String, Codable, Sendable, CaseIterable {
    /// Only what is prescribed was found, and nothing prescribed is missing.
    case expected
    /// Something not prescribed was found, or something prescribed was not: a conversation to have.
    case unexpected
    /// The sample was taken and the result has not come back.
    case pending
}

/// A urine drug test: the day the sample was taken and its result. A pending result is settled by a later test entry
/// for the same day or after it.
public struct UrineDrugTestRecorded: Codable, Sendable, Hashable {
    /// The day the sample was taken.
    public var on: LocalDate
    /// The result, or pending.
    public var result: UrineDrugTestResult
    /// What was found or missing, in the clinician's words.
    public var detail: String?
    /// Whether the result was already talked through with the patient when it was recorded.
    public var discussed: Bool?
    /// A value with these fields.
    public init(on: LocalDate, result: UrineDrugTestResult, detail: String? = nil, discussed: Bool? = nil) {
        self.on = on; self.result = result; self.detail = detail; self.discussed = discussed
    }
}

/// What a prescription drug monitoring program (PDMP) check showed.
public enum PDMPFindings: String, Codable, Sendable, CaseIterable {
    /// Nothing beyond what the clinic knows of.
    case none
    /// Other prescribers, overlapping prescriptions, high combined doses or other findings worth a conversation.
    case concerning
}

/// A check of the state prescription drug monitoring program (CDC 2022, recommendation 9).
public struct PDMPChecked: Codable, Sendable, Hashable {
    /// The day the database was checked.
    public var on: LocalDate
    /// What it showed.
    public var findings: PDMPFindings
    /// What was found, in the clinician's words.
    public var detail: String?
    /// Whether the findings were already talked through with the patient when they were recorded.
    public var discussed: Bool?
    /// A value with these fields.
    public init(on: LocalDate, findings: PDMPFindings, detail: String? = nil, discussed: Bool? = nil) {
        self.on = on; self.findings = findings; self.detail = detail; self.discussed = discussed
    }
}

/// Records that an unexpected test result or concerning PDMP findings were talked through with the patient.
public struct FindingDiscussed: Codable, Sendable, Hashable {
    /// The entry that recorded the result or the findings.
    public var target: EventID
    /// The day of the conversation.
    public var on: LocalDate
    /// What was said and agreed, in the clinician's words.
    public var note: String
    /// A value with these fields.
    public init(target: EventID, on: LocalDate, note: String) { self.target = target; self.on = on; self.note = note }
}
