// The payload of each event type. Field names are stored in events and described by the JSON Schemas in
// `schema/events/`; add optional fields freely, never rename or remove one.

/// A patient registered at a site: the first event of every record.
public struct PatientRegistered: Codable, Sendable, Hashable {
    /// The patient's full name.
    public var name: String
    /// The date of birth.
    public var born: LocalDate
    /// The medical record number at the site.
    public var mrn: String?
    /// A value with these fields.
    public init(name: String, born: LocalDate, mrn: String? = nil) {
        self.name = name; self.born = born; self.mrn = mrn
    }
}

/// A correction of the name, birth date or MRN; the earlier values stay in the timeline.
public struct DemographicsCorrected: Codable, Sendable, Hashable {
    /// The patient's full name.
    public var name: String?
    /// The date of birth.
    public var born: LocalDate?
    /// The medical record number at the site.
    public var mrn: String?
    /// Why, in the clinician's words.
    public var reason: String
    /// A value with these fields.
    public init(name: String? = nil, born: LocalDate? = nil, mrn: String? = nil, reason: String) {
        self.name = name; self.born = born; self.mrn = mrn; self.reason = reason
    }
}

/// A functional goal set with the patient.
public struct GoalSet: Codable, Sendable, Hashable {
    /// The goal's id.
    public var goal: String
    /// The goal in the patient's words (walk to the mailbox, cook dinner).
    public var description: String
    /// How progress will be judged.
    public var measure: String?
    /// When to look at it again.
    public var targetDate: LocalDate?
    /// A value with these fields.
    public init(goal: String, description: String, measure: String? = nil, targetDate: LocalDate? = nil) {
        self.goal = goal; self.description = description; self.measure = measure; self.targetDate = targetDate
    }
}

/// A goal reworded, or its measure or date changed.
public struct GoalRevised: Codable, Sendable, Hashable {
    /// The goal's id.
    public var goal: String
    /// The goal in the patient's words (walk to the mailbox, cook dinner).
    public var description: String
    /// How progress will be judged.
    public var measure: String?
    /// When to look at it again.
    public var targetDate: LocalDate?
    /// Why, in the clinician's words.
    public var reason: String?
    /// A value with these fields.
    public init(goal: String, description: String, measure: String? = nil, targetDate: LocalDate? = nil, reason: String? = nil) {
        self.goal = goal; self.description = description; self.measure = measure; self.targetDate = targetDate
        self.reason = reason
    }
}

/// How far the patient has come toward a functional goal, as judged together at a review.
public enum GoalProgress: String, Codable, Sendable, CaseIterable {
    case none, some, most, achieved
}

/// How a goal is going, judged together at a visit.
public struct GoalReviewed: Codable, Sendable, Hashable {
    /// The goal's id.
    public var goal: String
    /// How far the patient has come, judged together.
    public var progress: GoalProgress
    /// A note for the record.
    public var note: String?
    /// The day of the review when it was not the day it was recorded (a review on paper, entered later).
    public var on: LocalDate?
    /// A value with these fields.
    public init(goal: String, progress: GoalProgress, note: String? = nil, on: LocalDate? = nil) {
        self.goal = goal; self.progress = progress; self.note = note; self.on = on
    }
}

/// A goal the patient reached.
public struct GoalMet: Codable, Sendable, Hashable {
    /// The goal's id.
    public var goal: String
    /// A note for the record.
    public var note: String?
    /// A value with these fields.
    public init(goal: String, note: String? = nil) { self.goal = goal; self.note = note }
}

/// A goal that no longer fits, with the reason.
public struct GoalDropped: Codable, Sendable, Hashable {
    /// The goal's id.
    public var goal: String
    /// Why, in the clinician's words.
    public var reason: String
    /// A value with these fields.
    public init(goal: String, reason: String) { self.goal = goal; self.reason = reason }
}

/// One mini-consent item and whether it was discussed; an item not discussed carries the reason.
public struct ConsentItemRecord: Codable, Sendable, Hashable {
    /// The item's key.
    public var key: String
    /// Whether it was discussed.
    public var discussed: Bool
    /// Why, in the clinician's words.
    public var reason: String?
    /// A value with these fields.
    public init(key: String, discussed: Bool, reason: String? = nil) {
        self.key = key; self.discussed = discussed; self.reason = reason
    }
}

/// A mini-consent conversation: every item, naloxone, the patient's questions and decision.
public struct ConsentRecorded: Codable, Sendable, Hashable {
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
    /// A value with these fields.
    public init(items: [ConsentItemRecord], naloxone: NaloxoneStatus, questions: String? = nil,
                decision: ConsentDecision, note: String? = nil) {
        self.items = items; self.naloxone = naloxone; self.questions = questions; self.decision = decision
        self.note = note
    }
}

/// A treatment agreement signed with the patient.
public struct AgreementSigned: Codable, Sendable, Hashable {
    /// The agreement's id.
    public var agreement: String
    /// The clause keys the agreement holds.
    public var clauses: [String]
    /// The day it takes effect.
    public var effectiveOn: LocalDate
    /// The day it is due for renewal.
    public var renewOn: LocalDate
    /// How the patient agreed: in person, verbally or on paper.
    public var method: AgreementMethod
    /// A note for the record.
    public var note: String?
    /// A value with these fields.
    public init(agreement: String, clauses: [String], effectiveOn: LocalDate, renewOn: LocalDate,
                method: AgreementMethod, note: String? = nil) {
        self.agreement = agreement; self.clauses = clauses; self.effectiveOn = effectiveOn; self.renewOn = renewOn
        self.method = method; self.note = note
    }
}

/// An agreement's clauses changed, with the reason.
public struct AgreementAmended: Codable, Sendable, Hashable {
    /// The agreement's id.
    public var agreement: String
    /// The clause keys the agreement holds.
    public var clauses: [String]
    /// Why, in the clinician's words.
    public var reason: String
    /// How the patient agreed: in person, verbally or on paper.
    public var method: AgreementMethod
    /// A value with these fields.
    public init(agreement: String, clauses: [String], reason: String, method: AgreementMethod) {
        self.agreement = agreement; self.clauses = clauses; self.reason = reason; self.method = method
    }
}

/// An agreement renewed until a new date.
public struct AgreementRenewed: Codable, Sendable, Hashable {
    /// The agreement's id.
    public var agreement: String
    /// The day it is due for renewal.
    public var renewOn: LocalDate
    /// How the patient agreed: in person, verbally or on paper.
    public var method: AgreementMethod
    /// A note for the record.
    public var note: String?
    /// A value with these fields.
    public init(agreement: String, renewOn: LocalDate, method: AgreementMethod, note: String? = nil) {
        self.agreement = agreement; self.renewOn = renewOn; self.method = method; self.note = note
    }
}

/// An agreement ended, with the reason.
public struct AgreementEnded: Codable, Sendable, Hashable {
    /// The agreement's id.
    public var agreement: String
    /// Why, in the clinician's words.
    public var reason: String
    /// A value with these fields.
    public init(agreement: String, reason: String) { self.agreement = agreement; self.reason = reason }
}

/// One step of a taper: from `on`, the total daily dose in `unit`.
public struct TaperStep: Codable, Sendable, Hashable {
    /// The day it takes effect.
    public var on: LocalDate
    /// The total daily dose from that day, in `unit`.
    public var dailyDose: Double
    /// The unit of the dose: mg, or mcg/hr for a patch.
    public var unit: String
    /// How to take it, in words (2 doses a day: 30 mg + 15 mg).
    public var instruction: String?
    /// A value with these fields.
    public init(on: LocalDate, dailyDose: Double, unit: String, instruction: String? = nil) {
        self.on = on; self.dailyDose = dailyDose; self.unit = unit; self.instruction = instruction
    }
}

/// Whether taper steps are a percentage of the current dose or of the dose the taper started from.
public enum TaperBasis: String, Codable, Sendable, CaseIterable {
    case current, original
}

/// How long the patient has taken opioids, which sets the pace the tapering guide suggests.
public enum OpioidUseDuration: String, Codable, Sendable, CaseIterable {
    /// A year or more: about 10% of the current dose a month, or slower.
    case longTerm = "long-term"
    /// Weeks to months: about 10% of the original dose a week until about 30% remains, then 10% of what remains.
    case weeksToMonths = "weeks-to-months"
}

/// A taper plan agreed with the patient: the medication, the pace and every step.
public struct TaperStarted: Codable, Sendable, Hashable {
    /// The taper plan's id.
    public var plan: String
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
    /// When the patient started opioids, where known: the pace follows from it.
    public var onOpioidsSince: LocalDate?
    /// The steps, in date order.
    public var steps: [TaperStep]
    /// A note for the record.
    public var note: String?
    /// A value with these fields.
    public init(plan: String, medication: String, ratePercent: Double, intervalDays: Int, basis: TaperBasis,
                durationOfUse: OpioidUseDuration? = nil, onOpioidsSince: LocalDate? = nil, steps: [TaperStep], note: String? = nil) {
        self.plan = plan; self.medication = medication; self.ratePercent = ratePercent
        self.intervalDays = intervalDays; self.basis = basis; self.durationOfUse = durationOfUse
        self.onOpioidsSince = onOpioidsSince; self.steps = steps; self.note = note
    }
}

/// A new pace from `effectiveOn`: the steps given replace every step on or after that date.
public struct TaperAdjusted: Codable, Sendable, Hashable {
    /// The taper plan's id.
    public var plan: String
    /// The day it takes effect.
    public var effectiveOn: LocalDate
    /// The percent cut at each step.
    public var ratePercent: Double
    /// Days between steps.
    public var intervalDays: Int
    /// The steps, in date order.
    public var steps: [TaperStep]
    /// Why, in the clinician's words.
    public var reason: String
    /// A value with these fields.
    public init(plan: String, effectiveOn: LocalDate, ratePercent: Double, intervalDays: Int, steps: [TaperStep],
                reason: String) {
        self.plan = plan; self.effectiveOn = effectiveOn; self.ratePercent = ratePercent
        self.intervalDays = intervalDays; self.steps = steps; self.reason = reason
    }
}

/// A taper paused: the dose is held and later steps move when it resumes.
public struct TaperPaused: Codable, Sendable, Hashable {
    /// The taper plan's id.
    public var plan: String
    /// The day it takes effect.
    public var on: LocalDate
    /// Why, in the clinician's words.
    public var reason: String
    /// A value with these fields.
    public init(plan: String, on: LocalDate, reason: String) { self.plan = plan; self.on = on; self.reason = reason }
}

/// A paused taper resumed from the held dose.
public struct TaperResumed: Codable, Sendable, Hashable {
    /// The taper plan's id.
    public var plan: String
    /// The day it takes effect.
    public var on: LocalDate
    /// A note for the record.
    public var note: String?
    /// A value with these fields.
    public init(plan: String, on: LocalDate, note: String? = nil) { self.plan = plan; self.on = on; self.note = note }
}

/// A taper marked completed.
public struct TaperCompleted: Codable, Sendable, Hashable {
    /// The taper plan's id.
    public var plan: String
    /// The day it takes effect.
    public var on: LocalDate
    /// A note for the record.
    public var note: String?
    /// A value with these fields.
    public init(plan: String, on: LocalDate, note: String? = nil) { self.plan = plan; self.on = on; self.note = note }
}

/// Progress toward one goal as noted at a check-in.
public struct GoalCheck: Codable, Sendable, Hashable {
    /// The goal's id.
    public var goal: String
    /// How far the patient has come, judged together.
    public var progress: GoalProgress
    /// A note for the record.
    public var note: String?
    /// A value with these fields.
    public init(goal: String, progress: GoalProgress, note: String? = nil) {
        self.goal = goal; self.progress = progress; self.note = note
    }
}

/// Result of a urine drug test as recorded at a check-in.
public enum UrineDrugTest: String, Codable, Sendable, CaseIterable {
    case notDone = "not-done"
    case expected
    case unexpected
    case pending
}

/// A check-in: instruments, findings, safety checks and the next visit.
public struct CheckinRecorded: Codable, Sendable, Hashable {
    /// PEG item scores (pain, enjoyment of life, general activity), each 0 to 10.
    public var peg: [Int]?
    /// PHQ-2 item scores, each 0 to 3.
    public var phq2: [Int]?
    /// The 11 COWS item scores, each from the published scale.
    public var cows: [Int]?
    /// The current opioid dose, as written.
    public var currentDose: String?
    /// How the patient is sleeping.
    public var sleep: String?
    /// The patient's mood.
    public var mood: String?
    /// Progress on each goal.
    public var goals: [GoalCheck]?
    /// Side effects reported.
    public var sideEffects: String?
    /// Withdrawal signs seen or reported.
    public var withdrawal: String?
    /// Whether the clinician has any concern about self-harm or suicide at this visit.
    public var selfHarmConcern: Bool?
    /// Whether the patient has naloxone at home.
    public var naloxoneOnHand: Bool?
    /// Whether the PDMP was checked at this visit.
    public var pdmpChecked: Bool?
    /// The urine drug test's result.
    public var urineDrugTest: UrineDrugTest?
    /// Where the patient stands on changing.
    public var readiness: ReadinessStage?
    /// The day of the next visit.
    public var nextVisit: LocalDate?
    /// A note for the record.
    public var note: String?
    /// The day of the visit when it was not the day it was recorded (a check-in on paper, entered later).
    public var on: LocalDate?
    /// A value with these fields.
    public init(peg: [Int]? = nil, phq2: [Int]? = nil, cows: [Int]? = nil, currentDose: String? = nil,
                sleep: String? = nil, mood: String? = nil, goals: [GoalCheck]? = nil, sideEffects: String? = nil,
                withdrawal: String? = nil, selfHarmConcern: Bool? = nil, naloxoneOnHand: Bool? = nil, pdmpChecked: Bool? = nil,
                urineDrugTest: UrineDrugTest? = nil, readiness: ReadinessStage? = nil, nextVisit: LocalDate? = nil,
                note: String? = nil, on: LocalDate? = nil) {
        self.on = on
        self.peg = peg; self.phq2 = phq2; self.cows = cows; self.currentDose = currentDose; self.sleep = sleep
        self.mood = mood; self.goals = goals; self.sideEffects = sideEffects; self.withdrawal = withdrawal
        self.selfHarmConcern = selfHarmConcern
        self.naloxoneOnHand = naloxoneOnHand; self.pdmpChecked = pdmpChecked; self.urineDrugTest = urineDrugTest
        self.readiness = readiness; self.nextVisit = nextVisit; self.note = note
    }
}

/// The patient's whole current medication list, as written by the clinician (one line per medicine).
public struct MedicationsChanged: Codable, Sendable, Hashable {
    /// The patient's whole current list, one line per medicine.
    public var medications: [String]
    /// Why, in the clinician's words.
    public var reason: String?
    /// The day the list took effect when it was not the day it was recorded.
    public var on: LocalDate?
    /// A value with these fields.
    public init(medications: [String], reason: String? = nil, on: LocalDate? = nil) {
        self.medications = medications; self.reason = reason; self.on = on
    }
}

/// Adds a site to the patient's care team: the sync server then sends the patient's whole record to that site.
public struct PatientShared: Codable, Sendable, Hashable {
    /// The site added to the care team.
    public var site: String
    /// Why, in the clinician's words.
    public var reason: String?
    /// A value with these fields.
    public init(site: String, reason: String? = nil) { self.site = site; self.reason = reason }
}

/// Conditions that raise the risk of overdose and make naloxone worth offering (CDC 2022, recommendation 8). Age
/// 65 or over is read from the birth date and not recorded.
public enum RiskFactor: String, Codable, Sendable, CaseIterable {
    case overdoseHistory = "overdose-history"
    case substanceUseDisorder = "substance-use-disorder"
    case sleepDisorderedBreathing = "sleep-disordered-breathing"
    case renalImpairment = "renal-impairment"
    case hepaticImpairment = "hepatic-impairment"
    case mentalHealthCondition = "mental-health-condition"
    case pregnancy

    /// How the factor reads in a sentence.
    public var phrase: String {
        switch self {
        case .overdoseHistory: "a history of overdose"
        case .substanceUseDisorder: "a substance use disorder"
        case .sleepDisorderedBreathing: "sleep-disordered breathing"
        case .renalImpairment: "renal impairment"
        case .hepaticImpairment: "hepatic impairment"
        case .mentalHealthCondition: "a mental health condition"
        case .pregnancy: "pregnancy"
        }
    }
}

/// What a clinician learned of the patient's overdose risk factors and opioid history. A later statement about the
/// same factor replaces an earlier one.
public struct RiskFactorsRecorded: Codable, Sendable, Hashable {
    /// Whether the factor is present.
    public var present: [RiskFactor]
    /// Factors asked about and found absent.
    public var absent: [RiskFactor]
    /// When the patient started taking opioids (sets the tapering pace); may be long before Accord was used.
    public var onOpioidsSince: LocalDate?
    /// A note for the record.
    public var note: String?
    /// A value with these fields.
    public init(present: [RiskFactor] = [], absent: [RiskFactor] = [], onOpioidsSince: LocalDate? = nil, note: String? = nil) {
        self.present = present; self.absent = absent; self.onOpioidsSince = onOpioidsSince; self.note = note
    }
}

/// A free-text note.
public struct NoteAdded: Codable, Sendable, Hashable {
    /// The note.
    public var text: String
    /// A value with these fields.
    public init(text: String) { self.text = text }
}

/// Settles a conflict: of the concurrent latest changes to one part of the record, `kept` is the outcome and the
/// others are set aside (they stay readable in the timeline). The event names every side as a parent, so every
/// site folds the same outcome.
public struct ConflictResolved: Codable, Sendable, Hashable {
    /// The part of the record that was in conflict.
    public var entity: EntityKey
    /// The side whose outcome the record keeps.
    public var kept: EventID
    /// The other sides, set aside.
    public var setAside: [EventID]
    /// Why, in the clinician's words.
    public var reason: String?
    /// A value with these fields.
    public init(entity: EntityKey, kept: EventID, setAside: [EventID], reason: String? = nil) {
        self.entity = entity; self.kept = kept; self.setAside = setAside; self.reason = reason
    }
}

/// Marks an earlier entry as recorded in error: it stays readable but no longer counts in the record.
public struct EntryEnteredInError: Codable, Sendable, Hashable {
    /// The entry concerned.
    public var target: EventID
    /// Why, in the clinician's words.
    public var reason: String
    /// A value with these fields.
    public init(target: EventID, reason: String) { self.target = target; self.reason = reason }
}
