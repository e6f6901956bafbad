import AccordCore
import AccordKit

/// `accord patient show --json`: the command line's own output format, with the keys the README documents. It is
/// built from the library's record field by field, so the record may change without changing this output.
struct RecordJSON: Encodable {
    var id: String
    var name: String
    var born: LocalDate
    var mrn: String?
    var registered: Stamp
    var goals: [GoalState]
    var consents: [ConsentState]
    var agreements: [AgreementState]
    var taperPlans: [TaperPlanState]
    var checkins: [CheckinState]
    var drugTests: [UrineDrugTestState]
    var pdmpChecks: [PDMPCheckState]
    var medications: [String]
    var medicationHistory: [MedicationListState]
    var notes: [NoteState]
    var riskFactors: [RiskFactorState]
    var onOpioidsSince: LocalDate?
    var sharedWith: [String]
    var corrections: [CorrectionState]
    var conflicts: [ConflictState]
    var resolutions: [ResolutionState]
    var eventCount: Int
    var mme: MMEResult?
    var flags: [RiskFlag]?

    init(_ record: PatientRecord) {
        id = record.id; name = record.name; born = record.born; mrn = record.mrn; registered = record.registered
        goals = record.goals; consents = record.consents; agreements = record.agreements; taperPlans = record.taperPlans
        checkins = record.checkins; drugTests = record.drugTests; pdmpChecks = record.pdmpChecks; medications = record.medications; medicationHistory = record.medicationHistory
        notes = record.notes; riskFactors = record.riskFactors; onOpioidsSince = record.onOpioidsSince
        sharedWith = record.sharedWith; corrections = record.corrections; conflicts = record.conflicts
        resolutions = record.resolutions
        eventCount = record.eventCount; mme = record.mme; flags = record.flags
    }
}
