/// A patient's record as of the events a site holds: a deterministic fold of the log (see `Projection`).
/// Codable for apps that keep or send a record; the command line prints its own format built from it.
public struct PatientRecord: Codable, Sendable, Equatable {
    /// The patient's id.
    public var id: String
    /// The patient's full name.
    public var name: String
    /// The date of birth.
    public var born: LocalDate
    /// The medical record number at the site.
    public var mrn: String?
    /// Who registered the patient, where and when.
    public var registered: Stamp
    /// Progress on each goal.
    public var goals: [GoalState] = []
    /// Every mini-consent, oldest first.
    public var consents: [ConsentState] = []
    /// Every treatment agreement.
    public var agreements: [AgreementState] = []
    /// Every taper plan.
    public var taperPlans: [TaperPlanState] = []
    /// Every check-in, in the order recorded (`checkinsByDay` orders them by the day of the visit).
    public var checkins: [CheckinState] = []
    /// Every urine drug test, from its own entries and from check-ins, in the order recorded.
    public var drugTests: [UrineDrugTestState] = []
    /// Every PDMP check, from its own entries and from check-ins, in the order recorded.
    public var pdmpChecks: [PDMPCheckState] = []
    /// The patient's whole current list, one line per medicine.
    public var medications: [String] = []
    /// Every version of the medication list, oldest first, for trends and re-evaluation windows.
    public var medicationHistory: [MedicationListState] = []
    /// Every note, oldest first.
    public var notes: [NoteState] = []
    /// The latest statement about each naloxone risk factor (CDC 2022, recommendation 8).
    public var riskFactors: [RiskFactorState] = []
    /// When the patient started taking opioids, as recorded by a clinician (not when Accord first saw a list).
    public var onOpioidsSince: LocalDate?
    /// Sites the record was shared with, beyond the one that registered the patient.
    public var sharedWith: [String] = []
    /// Entries corrected or marked entered in error, with the reason; the originals stay in the timeline.
    public var corrections: [CorrectionState] = []
    /// Parts of the record that two sites changed without seeing each other's change; a clinician resolves them.
    /// While open, the record holds only what every side shares; each side's outcome is in the conflict.
    public var conflicts: [ConflictState] = []
    /// Conflicts settled so far, oldest first.
    public var resolutions: [ResolutionState] = []
    /// How many events the record folds.
    public var eventCount: Int = 0
    /// The current medication list's MME and the flags raised on the day of `evaluated(on:)`; absent in a bare fold.
    public var mme: MMEResult?
    /// The risk flags for the day, filled in by `evaluated(on:settings:)`.
    public var flags: [RiskFlag]?
}

/// Who recorded something, where and when.
public struct Stamp: Codable, Sendable, Equatable {
    /// The event that recorded it.
    public var event: EventID
    /// The clinician's printed name, as signed into the event.
    public var by: String
    /// The clinician's identifier (stable across name changes).
    public var clinician: String
    /// The site added to the care team.
    public var site: String
    /// When it was recorded, as an ISO 8601 UTC time.
    public var at: String
}

/// Where a goal stands.
public enum GoalStatus: String, Codable, Sendable { case active, met, dropped }

/// A goal as the log has it now.
public struct GoalState: Codable, Sendable, Equatable {
    /// The id.
    public var id: String
    /// The goal in the patient's words (walk to the mailbox, cook dinner).
    public var description: String
    /// How progress will be judged.
    public var measure: String?
    /// When to look at it again.
    public var targetDate: LocalDate?
    /// Where it stands.
    public var status: GoalStatus
    /// When and by whom it was set.
    public var set: Stamp
    /// The latest review, if any.
    public var latestReview: GoalReviewState?
    /// What happened to it, oldest first.
    public var history: [GoalHistoryEntry]
}

/// A goal's latest review.
public struct GoalReviewState: Codable, Sendable, Equatable {
    /// How far the patient has come, judged together.
    public var progress: GoalProgress
    /// A note for the record.
    public var note: String?
    /// The day of the review when it was not the day it was recorded.
    public var on: LocalDate?
    /// Who recorded it, where and when.
    public var stamp: Stamp
}

/// One thing that happened to a goal, an agreement or a taper plan.
public struct GoalHistoryEntry: Codable, Sendable, Equatable {
    /// What happened.
    public var change: String
    /// The words recorded with it.
    public var detail: String?
    /// Who recorded it, where and when.
    public var stamp: Stamp
}

/// A mini-consent as recorded.
public struct ConsentState: Codable, Sendable, Equatable {
    /// Every mini-consent item, discussed or not (with the reason).
    public var items: [ConsentItemRecord]
    /// Where naloxone stands: offered, prescribed, declined or on hand.
    public var naloxone: NaloxoneStatus
    /// The patient's questions, in brief.
    public var questions: String?
    /// The patient's decision.
    public var decision: ConsentDecision
    /// A note for the record.
    public var note: String?
    /// Who recorded it, where and when.
    public var stamp: Stamp
}

/// Where an agreement stands; expired when past its renewal date.
public enum AgreementStatus: String, Codable, Sendable { case active, expired, ended }

/// One version of an agreement: as signed, amended or renewed.
public struct AgreementVersion: Codable, Sendable, Equatable {
    /// What happened.
    public var change: String
    /// The clause keys the agreement holds.
    public var clauses: [String]
    /// The day it is due for renewal.
    public var renewOn: LocalDate
    /// How the patient agreed: in person, verbally or on paper.
    public var method: AgreementMethod
    /// Why, in the clinician's words.
    public var reason: String?
    /// Who recorded it, where and when.
    public var stamp: Stamp
}

/// A treatment agreement as the log has it now, with every version.
public struct AgreementState: Codable, Sendable, Equatable {
    /// The id.
    public var id: String
    /// The day it takes effect.
    public var effectiveOn: LocalDate
    /// The day it is due for renewal.
    public var renewOn: LocalDate
    /// The clause keys the agreement holds.
    public var clauses: [String]
    /// How the patient agreed: in person, verbally or on paper.
    public var method: AgreementMethod
    /// `active` or `ended` in the fold; `PatientRecord.evaluated(on:)` turns an overdue active agreement `expired`.
    public var status: AgreementStatus
    /// Why it ended, once ended.
    public var endReason: String?
    /// Every version, oldest first.
    public var versions: [AgreementVersion]
}

/// Where a taper stands.
public enum TaperStatus: String, Codable, Sendable { case active, paused, completed }

/// A taper plan as the log has it now: pauses and adjustments applied to its steps.
public struct TaperPlanState: Codable, Sendable, Equatable {
    /// The id.
    public var id: String
    /// The opioid tapered, as written.
    public var medication: String
    /// The percent cut at each step.
    public var ratePercent: Double
    /// Days between steps.
    public var intervalDays: Int
    /// Whether steps cut a share of the current or the original dose.
    public var basis: TaperBasis
    /// How long the patient has used opioids, which sets the pace checked against.
    public var durationOfUse: OpioidUseDuration?
    /// Where it stands.
    public var status: TaperStatus
    /// The steps, in date order.
    public var steps: [TaperStep]
    /// The day a pause began, while paused.
    public var pausedOn: LocalDate?
    /// What happened to it, oldest first.
    public var history: [GoalHistoryEntry]

    /// A value with these fields.
    public init(id: String, medication: String, ratePercent: Double, intervalDays: Int, basis: TaperBasis,
                durationOfUse: OpioidUseDuration?, status: TaperStatus, steps: [TaperStep], pausedOn: LocalDate? = nil,
                history: [GoalHistoryEntry]) {
        self.id = id; self.medication = medication; self.ratePercent = ratePercent; self.intervalDays = intervalDays
        self.basis = basis; self.durationOfUse = durationOfUse; self.status = status; self.steps = steps
        self.pausedOn = pausedOn; self.history = history
    }
}

/// A check-in with its instrument scores worked out.
public struct CheckinState: Codable, Sendable, Equatable {
    /// What was recorded.
    public var recorded: CheckinRecorded
    /// The PEG score (the mean of its items).
    public var pegScore: Double?
    /// The PHQ-2 total.
    public var phq2Total: Int?
    /// Whether PHQ-2 screens positive (3 or more).
    public var phq2Positive: Bool?
    /// The COWS total.
    public var cowsTotal: Int?
    /// The COWS severity band.
    public var cowsBand: String?
    /// Who recorded it, where and when.
    public var stamp: Stamp
}

/// One version of the medication list.
public struct MedicationListState: Codable, Sendable, Equatable {
    /// The patient's whole current list, one line per medicine.
    public var medications: [String]
    /// The day the list took effect when it was not the day it was recorded.
    public var on: LocalDate?
    /// Who recorded it, where and when.
    public var stamp: Stamp
}

/// The latest statement about one risk factor.
public struct RiskFactorState: Codable, Sendable, Equatable {
    /// The risk factor.
    public var factor: RiskFactor
    /// Whether the factor is present.
    public var present: Bool
    /// Who recorded it, where and when.
    public var stamp: Stamp
}

/// A note as recorded.
public struct NoteState: Codable, Sendable, Equatable {
    /// The note.
    public var text: String
    /// Who recorded it, where and when.
    public var stamp: Stamp
}

/// A correction, or an entry marked as recorded in error.
public struct CorrectionState: Codable, Sendable, Equatable {
    /// The entry concerned.
    public var target: EventID
    /// What kind of correction.
    public var kind: String
    /// Why, in the clinician's words.
    public var reason: String
    /// Who recorded it, where and when.
    public var stamp: Stamp
}


extension PatientRecord {
    /// The record as it stands on `date`: agreements past their renewal date read `expired`, and the current MME
    /// and risk flags are filled in.
    public func evaluated(on date: LocalDate, settings: FlagSettings = FlagSettings()) -> PatientRecord {
        var copy = self
        (copy.mme, copy.flags) = PatientFlags.assess(self, on: date, settings: settings)
        for index in copy.agreements.indices where copy.agreements[index].status == .active && copy.agreements[index].renewOn < date {
            copy.agreements[index].status = .expired
        }
        return copy
    }

    /// The agreement in force, if any.
    public var activeAgreement: AgreementState? { agreements.last { $0.status == .active } }
}
