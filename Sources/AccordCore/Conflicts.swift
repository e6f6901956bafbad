/// Something changed at two sites (or two clinicians' stores) without either seeing the other's change.
public struct ConflictState: Codable, Sendable, Equatable {
    /// What changed at two places at once.
    public var entity: EntityKey
    /// The part of the record named as a clinician knows it: the goal's words, the agreement's date, the taper's
    /// medicine.
    public var label: String
    /// The concurrent latest events; `conflict.resolved` keeps one of them.
    public var heads: [EventID]
    /// Each side as its author recorded it: who, where, when, what they changed and the outcome they saw.
    public var sides: [ConflictSide]
}

/// One side of a conflict.
public struct ConflictSide: Codable, Sendable, Equatable {
    /// The side's latest event: the one to keep.
    public var event: EventID
    /// Who recorded it, where and when.
    public var stamp: Stamp
    /// What it changed, in a line.
    public var change: String
    /// The part of the record as this side has it.
    public var state: EntitySnapshot

    /// The side whose latest event is `event`, with the state it leads to.
    public init(event: Event, state: EntitySnapshot) {
        let envelope = event.envelope
        self.event = event.id
        stamp = Stamp(event: event.id, by: envelope.author.name, clinician: envelope.author.id, site: envelope.site, at: envelope.recorded)
        change = Timeline.summary(of: envelope.payload)
        self.state = state
    }
}

/// One part of a record as one side of a conflict has it; only the field of the conflict's kind is set.
public struct EntitySnapshot: Codable, Sendable, Equatable {
    /// The goal, for a goal.
    public var goal: GoalState?
    /// The agreement, for an agreement.
    public var agreement: AgreementState?
    /// The plan, for a taper plan.
    public var taperPlan: TaperPlanState?
    /// The list, for the medication list.
    public var medications: [String]?
    /// Name, birth date and MRN, for the demographics.
    public var demographics: Demographics?

    /// An empty snapshot (a side whose record cannot be folded).
    public init() {}

    /// The part `entity` of `record`.
    public init(_ record: PatientRecord, _ entity: EntityKey) {
        switch entity {
        case .goal(let id): goal = record.goals.first { $0.id == id }
        case .agreement(let id): agreement = record.agreements.first { $0.id == id }
        case .taperPlan(let id): taperPlan = record.taperPlans.first { $0.id == id }
        case .medications: medications = record.medications
        case .demographics: demographics = Demographics(name: record.name, born: record.born, mrn: record.mrn)
        }
    }
}

/// A patient's name, birth date and MRN.
public struct Demographics: Codable, Sendable, Equatable {
    /// The full name.
    public var name: String
    /// The date of birth.
    public var born: LocalDate
    /// The medical record number.
    public var mrn: String?
}

/// A settled conflict: which side was kept and which were set aside.
public struct ResolutionState: Codable, Sendable, Equatable {
    /// What was in conflict.
    public var entity: EntityKey
    /// The side kept.
    public var kept: ResolvedSide
    /// The sides set aside; they stay in the timeline.
    public var setAside: [ResolvedSide]
    /// Why, in the clinician's words.
    public var reason: String?
    /// Who settled it, where and when.
    public var stamp: Stamp

    /// "kept …; set aside …" in a line, for histories.
    public var summary: String {
        "kept \(kept.description); set aside \(setAside.map(\.description).joined(separator: " and "))" + (reason.map { "; reason: \($0)" } ?? "")
    }
}

/// One side of a settled conflict.
public struct ResolvedSide: Codable, Sendable, Equatable {
    /// Its latest event.
    public var event: EventID
    /// What it changed, in a line.
    public var change: String
    /// Who recorded it, where and when (absent when the event is not held here).
    public var stamp: Stamp?

    var description: String {
        "\"\(change)\"" + (stamp.map { " (\($0.by) @ \($0.site), \($0.at.prefix(16)))" } ?? " (entry \(event.short))")
    }
}

extension ResolvedSide {
    init(_ id: EventID, in events: [EventID: Event]) {
        event = id
        guard let side = events[id] else {
            change = "entry \(id.short)"
            return
        }
        let envelope = side.envelope
        change = Timeline.summary(of: envelope.payload)
        stamp = Stamp(event: id, by: envelope.author.name, clinician: envelope.author.id, site: envelope.site, at: envelope.recorded)
    }
}

extension PatientRecord {
    /// The part of the record named as a clinician knows it.
    public func label(of entity: EntityKey) -> String {
        switch entity {
        case .goal(let id):
            goals.first { $0.id == id }.map { "goal \"\($0.description)\"" } ?? "goal \(id.prefix(8))"
        case .agreement(let id):
            agreements.first { $0.id == id }.map { "treatment agreement from \($0.effectiveOn) (\($0.clauses.count) clauses)" } ?? "agreement \(id.prefix(8))"
        case .taperPlan(let id):
            taperPlans.first { $0.id == id }.map { "taper plan for \($0.medication)" } ?? "taper plan \(id.prefix(8))"
        case .medications: "medication list"
        case .demographics: "name, birth date and MRN"
        }
    }

    /// Records a settled conflict, as a version or history entry of the part it settled.
    mutating func apply(_ resolution: ConflictResolved, sides events: [EventID: Event], stamp: Stamp) {
        let settled = ResolutionState(entity: resolution.entity, kept: ResolvedSide(resolution.kept, in: events),
                                      setAside: resolution.setAside.map { ResolvedSide($0, in: events) }, reason: resolution.reason, stamp: stamp)
        resolutions.append(settled)
        let entry = GoalHistoryEntry(change: "conflict resolved", detail: settled.summary, stamp: stamp)
        switch resolution.entity {
        case .goal(let id):
            if let index = goals.firstIndex(where: { $0.id == id }) { goals[index].history.append(entry) }
        case .agreement(let id):
            if let index = agreements.firstIndex(where: { $0.id == id }) {
                let agreement = agreements[index]
                agreements[index].versions.append(AgreementVersion(change: "conflict resolved", clauses: agreement.clauses, renewOn: agreement.renewOn,
                                                                   method: agreement.method, reason: settled.summary, stamp: stamp))
            }
        case .taperPlan(let id):
            if let index = taperPlans.firstIndex(where: { $0.id == id }) { taperPlans[index].history.append(entry) }
        case .medications, .demographics:
            break  // kept in `resolutions`
        }
    }
}
