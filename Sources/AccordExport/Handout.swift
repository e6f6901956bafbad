import AccordCore

/// What the patient's own copy says, in plain words, built from the record as it stands on one day. The HTML and
/// Markdown renderers only lay it out, so both always say the same thing.
public struct Handout: Sendable, Equatable {
    /// A goal as the patient reads it.
    public struct Goal: Sendable, Equatable {
        /// The goal.
        public var text: String
        /// How it is going.
        public var detail: String?
    }

    /// The agreement as the patient reads it.
    public struct Agreement: Sendable, Equatable {
        /// Its clauses, in plain words.
        public var clauses: [String]
        /// When and how it was agreed.
        public var agreedLine: String
        /// When it is due for renewal.
        public var renewalLine: String
        /// Who signed, with what meaning.
        public var signatures: [String]
    }

    /// A taper step as the patient reads it.
    public struct TaperStep: Sendable, Equatable {
        /// Its date.
        public var date: String
        /// The dose from that date.
        public var dose: String
        /// How to take it.
        public var note: String?
        /// The next step to come.
        public var isNext: Bool
        /// The step in effect today.
        public var isCurrent: Bool
    }

    /// A taper as the patient reads it.
    public struct Taper: Sendable, Equatable {
        /// The medicine tapered.
        public var medication: String
        /// Where the taper stands.
        public var statusLine: String
        /// The next step, in a sentence.
        public var nextLine: String?
        /// Every step.
        public var steps: [TaperStep]
    }

    /// The patient's name.
    public var patientName: String
    /// The date of birth.
    public var born: String
    /// The day the handout was made.
    public var printedOn: String
    /// The clinic's site.
    public var clinic: String
    /// The goals in progress.
    public var goals: [Goal]
    /// The goals reached.
    public var goalsReached: [Goal]
    /// What the mini-consent covered.
    public var discussed: [String]
    /// The patient's decision, in a sentence.
    public var decisionLine: String?
    /// Where naloxone stands, in a sentence.
    public var naloxoneLine: String?
    /// The day of the mini-consent.
    public var consentDate: String?
    /// The agreement in force.
    public var agreement: Agreement?
    /// Tapers in progress.
    public var tapers: [Taper]
    /// How pain and the dose have gone over time, each as a chart, in the patient's words.
    public var trends: [TrendSeries]
    /// Whom to call.
    public var contact: String?
    /// What to do in an overdose, on every handout.
    public let emergencyLine = "If someone who takes opioid medicine cannot be woken up, or is breathing very slowly or not at all: give naloxone if you have it, and call 911."

    /// The handout for `record` on `date`. `contact` is whom the patient should call (the clinic's name and number);
    /// without it the printed copy leaves lines to write it in.
    public init(record: PatientRecord, on date: LocalDate, contact: String?, calendar: ClinicCalendar = .utc) {
        patientName = record.name
        born = HandoutWords.date(record.born)
        printedOn = HandoutWords.date(date)
        clinic = record.registered.site
        goals = record.goals.filter { $0.status == .active }.map(HandoutWords.goal)
        goalsReached = record.goals.filter { $0.status == .met }.map(HandoutWords.goal)
        let consent = record.consents.last
        discussed = consent?.items.filter(\.discussed).map { ConsentItem.named($0.key)?.title ?? $0.key } ?? []
        decisionLine = consent.map { HandoutWords.decision($0.decision) }
        naloxoneLine = consent.map { HandoutWords.naloxone($0.naloxone) }
        consentDate = consent.map { HandoutWords.date(stampDate: $0.stamp) }
        let evaluated = record.evaluated(on: date)
        agreement = (evaluated.agreements.last { $0.status != .ended }).map { HandoutWords.agreement($0, on: date) }
        tapers = record.taperPlans.filter { $0.status != .completed }.map { HandoutWords.taper($0, on: date) }
        trends = PatientTrends.series(record, calendar: calendar).compactMap(HandoutWords.trend)
        self.contact = contact
    }
}

/// The sentences of the handout, in the project's own plain words (aimed at about a sixth-grade reading level).
enum HandoutWords {
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                         "October", "November", "December"]

    static func date(_ date: LocalDate) -> String { "\(months[date.month - 1]) \(date.day), \(date.year)" }

    static func date(stampDate stamp: Stamp) -> String {
        LocalDate(String(stamp.at.prefix(10))).map(date) ?? String(stamp.at.prefix(10))
    }

    static func goal(_ goal: GoalState) -> Handout.Goal {
        var parts: [String] = []
        if let measure = goal.measure { parts.append("How we will know: \(measure).") }
        if let target = goal.targetDate { parts.append("We hope to get there by \(date(target)).") }
        return Handout.Goal(text: goal.description, detail: parts.isEmpty ? nil : parts.joined(separator: " "))
    }

    static func decision(_ decision: ConsentDecision) -> String {
        switch decision {
        case .accepts: "You decided to go ahead with the medicine, and you know you can ask questions or change your mind."
        case .declines: "You decided not to take this medicine. Other treatments are still open to you."
        case .deferred: "You wanted more time to think. We will talk again before anything is started."
        }
    }

    static func naloxone(_ status: NaloxoneStatus) -> String {
        switch status {
        case .offered: "We offered you naloxone, a medicine that can reverse an overdose. You can ask for it at any time."
        case .prescribed: "You have a prescription for naloxone, a medicine that can reverse an overdose. Keep it where others can find it."
        case .declined: "You chose not to get naloxone for now. You can ask for it at any time."
        case .onHand: "You told us you have naloxone at home. Keep it where others can find it, and show them how to use it."
        }
    }

    static func method(_ method: AgreementMethod) -> String {
        switch method {
        case .inPerson: "in person at the clinic"
        case .verbal: "by telling your care team"
        case .paper: "by signing a paper copy"
        }
    }

    static func agreement(_ agreement: AgreementState, on today: LocalDate) -> Handout.Agreement {
        let latest = agreement.versions.last { $0.change != "ended" } ?? agreement.versions[0]
        let clauses = agreement.clauses.map { AgreementClause.named($0)?.text ?? $0 }
        let agreed = "You agreed to this \(method(agreement.method)) on \(date(stampDate: latest.stamp))."
        let renewal = agreement.renewOn < today
            ? "This agreement was due to be looked at again on \(date(agreement.renewOn)). Please ask about it at your next visit."
            : "We will look at this agreement again together by \(date(agreement.renewOn))."
        let signatures = agreement.versions.filter { $0.change != "ended" }.map { version in
            "\(version.change.capitalized) on \(date(stampDate: version.stamp)) with \(version.stamp.by); you agreed \(method(version.method))."
        }
        return Handout.Agreement(clauses: clauses, agreedLine: agreed, renewalLine: renewal, signatures: signatures)
    }

    static func taper(_ plan: TaperPlanState, on today: LocalDate) -> Handout.Taper {
        let currentIndex = plan.steps.lastIndex { !(today < $0.on) }
        let nextIndex = plan.status == .active ? plan.steps.firstIndex { today < $0.on } : nil
        let steps = plan.steps.enumerated().map { index, step in
            Handout.TaperStep(date: date(step.on), dose: dose(step), note: step.instruction,
                              isNext: index == nextIndex, isCurrent: index == currentIndex)
        }
        let status: String
        if plan.status == .paused, let pausedOn = plan.pausedOn {
            status = "Your taper has been on hold since \(date(pausedOn)). Your dose stays the same until we agree together to go on."
        } else {
            status = "We lower the dose slowly, together. If withdrawal or pain gets hard, call us: we can slow down or pause."
        }
        let next = nextIndex.map { "Next change: from \(date(plan.steps[$0].on)), \(dose(plan.steps[$0]))." }
        return Handout.Taper(medication: plan.medication, statusLine: status, nextLine: next, steps: steps)
    }

    /// The pain score and the dose, titled for the patient; the other measures stay in the clinician's view.
    static func trend(_ series: TrendSeries) -> TrendSeries? {
        var plain = series
        switch series.key {
        case "peg":
            plain.title = "How much pain gets in the way (0 = not at all, 10 = completely)"
        case "mme":
            plain.title = "Your opioid dose, in morphine milligrams a day"
            plain.thresholdLabel = "at 50 or more a day the risks are higher, so we check in more often."
        default: return nil
        }
        return plain
    }

    static func dose(_ step: AccordCore.TaperStep) -> String {
        step.dailyDose == 0 ? "stop taking it" : "\(FHIRBundleBuilder.number(step.dailyDose)) \(step.unit) in total each day"
    }
}
