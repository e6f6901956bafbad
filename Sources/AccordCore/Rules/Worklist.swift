/// The groups of `accord today`, most urgent first.
public enum WorkGroup: String, Codable, Sendable, CaseIterable {
    case safety
    case results
    case visits
    case checks
    case agreements
    case taperSteps = "taper-steps"
    case conflicts

    /// The heading shown.
    public var title: String {
        switch self {
        case .safety: "Safety"
        case .results: "Results to discuss"
        case .visits: "Visits and re-evaluations overdue"
        case .checks: "PDMP checks and urine drug tests due"
        case .agreements: "Treatment agreements to renew"
        case .taperSteps: "Taper steps due"
        case .conflicts: "Open conflicts"
        }
    }
}

/// One thing to do for one patient: what, why, since when, and the rule's source.
public struct WorkItem: Codable, Sendable, Equatable {
    /// The patient's id.
    public var patient: String
    /// The patient's name.
    public var name: String
    /// The group it is listed under.
    public var group: WorkGroup
    /// The kind of item (a flag's key, `taper-step` or `conflict`).
    public var key: String
    /// What it is, in a line.
    public var title: String
    /// Why it matters and what to do.
    public var why: String
    /// The day it became due or was raised, when known.
    public var since: LocalDate?
    /// Where the rule comes from; nil where no guideline rule applies (a conflict).
    public var source: String?
    /// Whether it was raised within the window asked for.
    public var isNew: Bool

    enum CodingKeys: String, CodingKey { case patient, name, group, key, title, why, since, source, isNew }

    /// Every key written, `null` where there is no value, so `--json` readers see stable keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(patient, forKey: .patient); try container.encode(name, forKey: .name)
        try container.encode(group, forKey: .group); try container.encode(key, forKey: .key)
        try container.encode(title, forKey: .title); try container.encode(why, forKey: .why)
        try container.encode(since, forKey: .since); try container.encode(source, forKey: .source)
        try container.encode(isNew, forKey: .isNew)
    }
}

/// The day's worklist across every patient of a store: each record's flags sorted into groups, the taper steps due
/// in the coming days, and open conflicts. The rules are `PatientFlags`'; this only gathers and orders them.
public enum Worklist {
    /// Flags listed every day while they stand: each asks for something to be done.
    static let standing: [String: WorkGroup] = [
        "taper-consider-pause": .safety, "naloxone-not-on-hand": .safety, "medication-unreadable": .safety,
        "mme-incomplete": .safety, "taper-too-fast": .safety,
        "drug-test-unexpected": .results, "pdmp-concerning": .results, "drug-test-pending": .results,
        "visit-overdue": .visits, "checkin-overdue": .visits, "reevaluation-overdue": .visits, "no-functional-goal": .visits,
        "pdmp-overdue": .checks, "drug-test-due": .checks,
        "agreement-expired": .agreements, "agreement-renewal-due": .agreements,
    ]

    /// The items for `records` on `today`; flags that only inform (an MME threshold, a sedative on the list) are
    /// listed when raised within the last `days` days, and taper steps due within the next `days`.
    public static func items(_ records: [PatientRecord], on today: LocalDate, days: Int, settings: FlagSettings) -> [WorkItem] {
        let calendar = settings.calendar
        let windowStart = today.adding(days: -days)
        var items: [WorkItem] = []
        for record in records {
            func item(_ group: WorkGroup, _ key: String, _ title: String, _ why: String, _ since: LocalDate?, _ source: String?) {
                items.append(WorkItem(patient: record.id, name: record.name, group: group, key: key, title: title, why: why,
                                      since: since, source: source, isNew: since.map { $0 >= windowStart } ?? false))
            }
            for flag in PatientFlags.evaluate(record, on: today, settings: settings) {
                let since = flag.since.flatMap { LocalDate($0) ?? calendar.day(ofTimestamp: $0) }
                if let group = standing[flag.key] {
                    item(group, flag.key, flag.title, flag.why, since, flag.source)
                } else if let since, since >= windowStart {
                    item(.safety, flag.key, flag.title, flag.why, since, flag.source)
                }
            }
            for plan in record.taperPlans where plan.status == .active {
                for step in plan.steps where step.on >= today && step.on <= today.adding(days: days) {
                    item(.taperSteps, "taper-step", "Taper step on \(step.on): \(Timeline.formatScore(step.dailyDose)) \(step.unit) a day of \(plan.medication)",
                         "Check in before the step: pain, function, sleep, mood and withdrawal; slow down or pause when needed (accord taper pause).",
                         step.on, Source.hhs2019.rawValue)
                }
            }
            for conflict in record.conflicts {
                let since = conflict.sides.compactMap { calendar.day(ofTimestamp: $0.stamp.at) }.max()
                item(.conflicts, "conflict", "The \(conflict.label) was changed at two places at once",
                     "Compare the sides with the colleagues who made them and keep one (accord conflicts resolve).", since, nil)
            }
        }
        let neverDone = LocalDate(year: DateSense.earliestYear, month: 1, day: 1)!
        let order = Dictionary(uniqueKeysWithValues: WorkGroup.allCases.enumerated().map { ($1, $0) })
        // Within a group the oldest first: what has waited longest; an item never done (no day) before any.
        return items.enumerated().sorted { lhs, rhs in
            let (a, b) = (lhs.element, rhs.element)
            if a.group != b.group { return order[a.group]! < order[b.group]! }
            if a.since != b.since { return (a.since ?? neverDone) < (b.since ?? neverDone) }
            if a.name != b.name { return a.name < b.name }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}
