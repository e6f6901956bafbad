// The payload of each event type. Field names are stored in events and described by the JSON Schemas in
// `schema/events/`; add optional fields freely, never rename or remove one.

public struct PatientRegistered: Codable, Sendable, Hashable {
    public var name: String
    public var born: LocalDate
    public var mrn: String?
    public init(name: String, born: LocalDate, mrn: String? = nil) {
        self.name = name; self.born = born; self.mrn = mrn
    }
}

public struct DemographicsCorrected: Codable, Sendable, Hashable {
    public var name: String?
    public var born: LocalDate?
    public var mrn: String?
    public var reason: String
    public init(name: String? = nil, born: LocalDate? = nil, mrn: String? = nil, reason: String) {
        self.name = name; self.born = born; self.mrn = mrn; self.reason = reason
    }
}

public struct GoalSet: Codable, Sendable, Hashable {
    public var goal: String
    public var description: String
    public var measure: String?
    public var targetDate: LocalDate?
    public init(goal: String, description: String, measure: String? = nil, targetDate: LocalDate? = nil) {
        self.goal = goal; self.description = description; self.measure = measure; self.targetDate = targetDate
    }
}

public struct GoalRevised: Codable, Sendable, Hashable {
    public var goal: String
    public var description: String
    public var measure: String?
    public var targetDate: LocalDate?
    public var reason: String?
    public init(goal: String, description: String, measure: String? = nil, targetDate: LocalDate? = nil, reason: String? = nil) {
        self.goal = goal; self.description = description; self.measure = measure; self.targetDate = targetDate
        self.reason = reason
    }
}

/// How far the patient has come toward a functional goal, as judged together at a review.
public enum GoalProgress: String, Codable, Sendable, CaseIterable {
    case none, some, most, achieved
}

public struct GoalReviewed: Codable, Sendable, Hashable {
    public var goal: String
    public var progress: GoalProgress
    public var note: String?
    public init(goal: String, progress: GoalProgress, note: String? = nil) {
        self.goal = goal; self.progress = progress; self.note = note
    }
}

public struct GoalMet: Codable, Sendable, Hashable {
    public var goal: String
    public var note: String?
    public init(goal: String, note: String? = nil) { self.goal = goal; self.note = note }
}

public struct GoalDropped: Codable, Sendable, Hashable {
    public var goal: String
    public var reason: String
    public init(goal: String, reason: String) { self.goal = goal; self.reason = reason }
}

/// One mini-consent item and whether it was discussed; an item not discussed carries the reason.
public struct ConsentItemRecord: Codable, Sendable, Hashable {
    public var key: String
    public var discussed: Bool
    public var reason: String?
    public init(key: String, discussed: Bool, reason: String? = nil) {
        self.key = key; self.discussed = discussed; self.reason = reason
    }
}

public struct ConsentRecorded: Codable, Sendable, Hashable {
    public var items: [ConsentItemRecord]
    public var naloxone: NaloxoneStatus
    public var questions: String?
    public var decision: ConsentDecision
    public var note: String?
    public init(items: [ConsentItemRecord], naloxone: NaloxoneStatus, questions: String? = nil,
                decision: ConsentDecision, note: String? = nil) {
        self.items = items; self.naloxone = naloxone; self.questions = questions; self.decision = decision
        self.note = note
    }
}

public struct AgreementSigned: Codable, Sendable, Hashable {
    public var agreement: String
    public var clauses: [String]
    public var effectiveOn: LocalDate
    public var renewOn: LocalDate
    public var method: AgreementMethod
    public var note: String?
    public init(agreement: String, clauses: [String], effectiveOn: LocalDate, renewOn: LocalDate,
                method: AgreementMethod, note: String? = nil) {
        self.agreement = agreement; self.clauses = clauses; self.effectiveOn = effectiveOn; self.renewOn = renewOn
        self.method = method; self.note = note
    }
}

public struct AgreementAmended: Codable, Sendable, Hashable {
    public var agreement: String
    public var clauses: [String]
    public var reason: String
    public var method: AgreementMethod
    public init(agreement: String, clauses: [String], reason: String, method: AgreementMethod) {
        self.agreement = agreement; self.clauses = clauses; self.reason = reason; self.method = method
    }
}

public struct AgreementRenewed: Codable, Sendable, Hashable {
    public var agreement: String
    public var renewOn: LocalDate
    public var method: AgreementMethod
    public var note: String?
    public init(agreement: String, renewOn: LocalDate, method: AgreementMethod, note: String? = nil) {
        self.agreement = agreement; self.renewOn = renewOn; self.method = method; self.note = note
    }
}

public struct AgreementEnded: Codable, Sendable, Hashable {
    public var agreement: String
    public var reason: String
    public init(agreement: String, reason: String) { self.agreement = agreement; self.reason = reason }
}

/// One step of a taper: from `on`, the total daily dose in `unit`.
public struct TaperStep: Codable, Sendable, Hashable {
    public var on: LocalDate
    public var dailyDose: Double
    public var unit: String
    public var instruction: String?
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

public struct TaperStarted: Codable, Sendable, Hashable {
    public var plan: String
    public var medication: String
    public var ratePercent: Double
    public var intervalDays: Int
    public var basis: TaperBasis
    public var durationOfUse: OpioidUseDuration?
    /// When the patient started opioids, where known: the pace follows from it.
    public var onOpioidsSince: LocalDate?
    public var steps: [TaperStep]
    public var note: String?
    public init(plan: String, medication: String, ratePercent: Double, intervalDays: Int, basis: TaperBasis,
                durationOfUse: OpioidUseDuration? = nil, onOpioidsSince: LocalDate? = nil, steps: [TaperStep], note: String? = nil) {
        self.plan = plan; self.medication = medication; self.ratePercent = ratePercent
        self.intervalDays = intervalDays; self.basis = basis; self.durationOfUse = durationOfUse
        self.onOpioidsSince = onOpioidsSince; self.steps = steps; self.note = note
    }
}

/// A new pace from `effectiveOn`: the steps given replace every step on or after that date.
public struct TaperAdjusted: Codable, Sendable, Hashable {
    public var plan: String
    public var effectiveOn: LocalDate
    public var ratePercent: Double
    public var intervalDays: Int
    public var steps: [TaperStep]
    public var reason: String
    public init(plan: String, effectiveOn: LocalDate, ratePercent: Double, intervalDays: Int, steps: [TaperStep],
                reason: String) {
        self.plan = plan; self.effectiveOn = effectiveOn; self.ratePercent = ratePercent
        self.intervalDays = intervalDays; self.steps = steps; self.reason = reason
    }
}

public struct TaperPaused: Codable, Sendable, Hashable {
    public var plan: String
    public var on: LocalDate
    public var reason: String
    public init(plan: String, on: LocalDate, reason: String) { self.plan = plan; self.on = on; self.reason = reason }
}

public struct TaperResumed: Codable, Sendable, Hashable {
    public var plan: String
    public var on: LocalDate
    public var note: String?
    public init(plan: String, on: LocalDate, note: String? = nil) { self.plan = plan; self.on = on; self.note = note }
}

public struct TaperCompleted: Codable, Sendable, Hashable {
    public var plan: String
    public var on: LocalDate
    public var note: String?
    public init(plan: String, on: LocalDate, note: String? = nil) { self.plan = plan; self.on = on; self.note = note }
}

/// Progress toward one goal as noted at a check-in.
public struct GoalCheck: Codable, Sendable, Hashable {
    public var goal: String
    public var progress: GoalProgress
    public var note: String?
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

public struct CheckinRecorded: Codable, Sendable, Hashable {
    public var peg: [Int]?
    public var phq2: [Int]?
    public var cows: [Int]?
    public var currentDose: String?
    public var sleep: String?
    public var mood: String?
    public var goals: [GoalCheck]?
    public var sideEffects: String?
    public var withdrawal: String?
    /// Whether the clinician has any concern about self-harm or suicide at this visit.
    public var selfHarmConcern: Bool?
    public var naloxoneOnHand: Bool?
    public var pdmpChecked: Bool?
    public var urineDrugTest: UrineDrugTest?
    public var readiness: ReadinessStage?
    public var nextVisit: LocalDate?
    public var note: String?
    public init(peg: [Int]? = nil, phq2: [Int]? = nil, cows: [Int]? = nil, currentDose: String? = nil,
                sleep: String? = nil, mood: String? = nil, goals: [GoalCheck]? = nil, sideEffects: String? = nil,
                withdrawal: String? = nil, selfHarmConcern: Bool? = nil, naloxoneOnHand: Bool? = nil, pdmpChecked: Bool? = nil,
                urineDrugTest: UrineDrugTest? = nil, readiness: ReadinessStage? = nil, nextVisit: LocalDate? = nil,
                note: String? = nil) {
        self.peg = peg; self.phq2 = phq2; self.cows = cows; self.currentDose = currentDose; self.sleep = sleep
        self.mood = mood; self.goals = goals; self.sideEffects = sideEffects; self.withdrawal = withdrawal
        self.selfHarmConcern = selfHarmConcern
        self.naloxoneOnHand = naloxoneOnHand; self.pdmpChecked = pdmpChecked; self.urineDrugTest = urineDrugTest
        self.readiness = readiness; self.nextVisit = nextVisit; self.note = note
    }
}

/// The patient's whole current medication list, as written by the clinician (one line per medicine).
public struct MedicationsChanged: Codable, Sendable, Hashable {
    public var medications: [String]
    public var reason: String?
    public init(medications: [String], reason: String? = nil) { self.medications = medications; self.reason = reason }
}

/// Adds a site to the patient's care team: the sync server then sends the patient's whole record to that site.
public struct PatientShared: Codable, Sendable, Hashable {
    public var site: String
    public var reason: String?
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
    public var present: [RiskFactor]
    public var absent: [RiskFactor]
    /// When the patient started taking opioids (sets the tapering pace); may be long before Accord was used.
    public var onOpioidsSince: LocalDate?
    public var note: String?
    public init(present: [RiskFactor] = [], absent: [RiskFactor] = [], onOpioidsSince: LocalDate? = nil, note: String? = nil) {
        self.present = present; self.absent = absent; self.onOpioidsSince = onOpioidsSince; self.note = note
    }
}

public struct NoteAdded: Codable, Sendable, Hashable {
    public var text: String
    public init(text: String) { self.text = text }
}

/// Marks an earlier entry as recorded in error: it stays readable but no longer counts in the record.
public struct EntryEnteredInError: Codable, Sendable, Hashable {
    public var target: EventID
    public var reason: String
    public init(target: EventID, reason: String) { self.target = target; self.reason = reason }
}
