/// Every kind of fact Accord records. The raw value is stored in each event and names its JSON Schema
/// (`schema/events/<raw value>.json`); never rename a case once shipped.
public enum EventType: String, Codable, Sendable, CaseIterable {
    case patientRegistered = "patient.registered"
    case demographicsCorrected = "patient.demographicsCorrected"
    case goalSet = "goal.set"
    case goalRevised = "goal.revised"
    case goalReviewed = "goal.reviewed"
    case goalMet = "goal.met"
    case goalDropped = "goal.dropped"
    case consentRecorded = "consent.recorded"
    case agreementSigned = "agreement.signed"
    case agreementAmended = "agreement.amended"
    case agreementRenewed = "agreement.renewed"
    case agreementEnded = "agreement.ended"
    case taperStarted = "taper.started"
    case taperAdjusted = "taper.adjusted"
    case taperPaused = "taper.paused"
    case taperResumed = "taper.resumed"
    case taperCompleted = "taper.completed"
    case checkinRecorded = "checkin.recorded"
    case medicationsChanged = "medications.changed"
    case noteAdded = "note.added"
    case riskFactorsRecorded = "patient.riskFactorsRecorded"
    case patientShared = "patient.shared"
    case entryCorrected = "entry.corrected"
    case entryEnteredInError = "entry.enteredInError"
    case conflictResolved = "conflict.resolved"
    case urineDrugTestRecorded = "urineDrugTest.recorded"
    case pdmpChecked = "pdmp.checked"
    case findingDiscussed = "finding.discussed"

    /// The schema version written into new events of this type.
    public var currentSchemaVersion: Int { 1 }

    /// Events that change a part of the record step by step (`EventPayload.entity`): the only ones that can leave
    /// it in conflict, so a check for conflicts needs no others.
    public var changesAnEntity: Bool {
        switch self {
        case .patientRegistered, .demographicsCorrected, .goalSet, .goalRevised, .goalReviewed, .goalMet, .goalDropped,
             .agreementSigned, .agreementAmended, .agreementRenewed, .agreementEnded, .taperStarted, .taperAdjusted,
             .taperPaused, .taperResumed, .taperCompleted, .medicationsChanged, .conflictResolved:
            true
        case .consentRecorded, .checkinRecorded, .noteAdded, .riskFactorsRecorded, .patientShared, .entryCorrected, .entryEnteredInError,
             .urineDrugTestRecorded, .pdmpChecked, .findingDiscussed:
            false
        }
    }

    /// The types that change an entity.
    public static let entityChanging: [EventType] = allCases.filter(\.changesAnEntity)

    /// Events that change what the patient directory shows (name, birth date, MRN).
    public var touchesDemographics: Bool {
        switch self {
        case .patientRegistered, .demographicsCorrected, .entryCorrected, .entryEnteredInError, .conflictResolved: return true
        default: return false
        }
    }
}
