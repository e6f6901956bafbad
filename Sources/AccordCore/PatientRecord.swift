/// A patient's record as of the events a site holds: a deterministic fold of the log (see `Projection`).
/// Field names are the keys of `accord patient show --json`; add fields freely, never rename one.
public struct PatientRecord: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    public var born: LocalDate
    public var mrn: String?
    public var registered: Stamp
    public var goals: [GoalState] = []
    public var consents: [ConsentState] = []
    public var agreements: [AgreementState] = []
    public var taperPlans: [TaperPlanState] = []
    public var checkins: [CheckinState] = []
    public var medications: [String] = []
    /// Every version of the medication list, oldest first, for trends and re-evaluation windows.
    public var medicationHistory: [MedicationListState] = []
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
    public var conflicts: [ConflictState] = []
    public var eventCount: Int = 0
    /// The current medication list's MME and the flags raised on the day of `evaluated(on:)`; absent in a bare fold.
    public var mme: MMEResult?
    public var flags: [RiskFlag]?
}

/// Who recorded something, where and when.
public struct Stamp: Codable, Sendable, Equatable {
    public var event: EventID
    /// The clinician's printed name, as signed into the event.
    public var by: String
    /// The clinician's identifier (stable across name changes).
    public var clinician: String
    public var site: String
    public var at: String
}

public enum GoalStatus: String, Codable, Sendable { case active, met, dropped }

public struct GoalState: Codable, Sendable, Equatable {
    public var id: String
    public var description: String
    public var measure: String?
    public var targetDate: LocalDate?
    public var status: GoalStatus
    public var set: Stamp
    public var latestReview: GoalReviewState?
    public var history: [GoalHistoryEntry]
}

public struct GoalReviewState: Codable, Sendable, Equatable {
    public var progress: GoalProgress
    public var note: String?
    public var stamp: Stamp
}

public struct GoalHistoryEntry: Codable, Sendable, Equatable {
    public var change: String
    public var detail: String?
    public var stamp: Stamp
}

public struct ConsentState: Codable, Sendable, Equatable {
    public var items: [ConsentItemRecord]
    public var naloxone: NaloxoneStatus
    public var questions: String?
    public var decision: ConsentDecision
    public var note: String?
    public var stamp: Stamp
}

public enum AgreementStatus: String, Codable, Sendable { case active, expired, ended }

public struct AgreementVersion: Codable, Sendable, Equatable {
    public var change: String
    public var clauses: [String]
    public var renewOn: LocalDate
    public var method: AgreementMethod
    public var reason: String?
    public var stamp: Stamp
}

public struct AgreementState: Codable, Sendable, Equatable {
    public var id: String
    public var effectiveOn: LocalDate
    public var renewOn: LocalDate
    public var clauses: [String]
    public var method: AgreementMethod
    /// `active` or `ended` in the fold; `PatientRecord.evaluated(on:)` turns an overdue active agreement `expired`.
    public var status: AgreementStatus
    public var endReason: String?
    public var versions: [AgreementVersion]
}

public enum TaperStatus: String, Codable, Sendable { case active, paused, completed }

public struct TaperPlanState: Codable, Sendable, Equatable {
    public var id: String
    public var medication: String
    public var ratePercent: Double
    public var intervalDays: Int
    public var basis: TaperBasis
    public var durationOfUse: OpioidUseDuration?
    public var status: TaperStatus
    public var steps: [TaperStep]
    public var pausedOn: LocalDate?
    public var history: [GoalHistoryEntry]

    public init(id: String, medication: String, ratePercent: Double, intervalDays: Int, basis: TaperBasis,
                durationOfUse: OpioidUseDuration?, status: TaperStatus, steps: [TaperStep], pausedOn: LocalDate? = nil,
                history: [GoalHistoryEntry]) {
        self.id = id; self.medication = medication; self.ratePercent = ratePercent; self.intervalDays = intervalDays
        self.basis = basis; self.durationOfUse = durationOfUse; self.status = status; self.steps = steps
        self.pausedOn = pausedOn; self.history = history
    }
}

public struct CheckinState: Codable, Sendable, Equatable {
    public var recorded: CheckinRecorded
    public var pegScore: Double?
    public var phq2Total: Int?
    public var phq2Positive: Bool?
    public var cowsTotal: Int?
    public var cowsBand: String?
    public var stamp: Stamp
}

public struct MedicationListState: Codable, Sendable, Equatable {
    public var medications: [String]
    public var stamp: Stamp
}

public struct RiskFactorState: Codable, Sendable, Equatable {
    public var factor: RiskFactor
    public var present: Bool
    public var stamp: Stamp
}

public struct NoteState: Codable, Sendable, Equatable {
    public var text: String
    public var stamp: Stamp
}

public struct CorrectionState: Codable, Sendable, Equatable {
    public var target: EventID
    public var kind: String
    public var reason: String
    public var stamp: Stamp
}

public struct ConflictState: Codable, Sendable, Equatable {
    public var entity: EntityKey
    /// The concurrent latest events; a new event that builds on all of them resolves the conflict.
    public var heads: [EventID]
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

    public var activeAgreement: AgreementState? { agreements.last { $0.status == .active } }
}
