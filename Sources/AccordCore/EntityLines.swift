/// How each changing part of a record (an entity: a goal, an agreement, a taper plan, the medication list, the
/// demographics) stands in the log, worked out before the fold.
///
/// An entity's events form a graph through their parents. Its latest events are its heads: more than one means a
/// conflict. The events that count towards its state are those a head reaches through its parents, where a
/// resolution reaches only the side it kept: so after `conflict.resolved` the entity is exactly the kept side's
/// outcome, and while a conflict is open the record holds only what every side shares (each side is shown apart).
struct EntityLines {
    /// One entity's events.
    struct Line {
        /// Its events in fold order.
        var events: [EventID] = []
        /// Each event's parents that are events of this entity.
        var parents: [EventID: [EventID]] = [:]
        /// Each resolution's kept side.
        var kept: [EventID: EventID] = [:]
        /// The latest events, sorted.
        var heads: [EventID] = []

        /// The events that count at `head`: what it reaches through parents, a resolution through its kept side only.
        func counted(at head: EventID) -> Set<EventID> {
            var reached: Set<EventID> = []
            var waiting = [head]
            while let next = waiting.popLast() {
                guard parents[next] != nil, reached.insert(next).inserted else { continue }
                if let side = kept[next] { waiting.append(side) } else { waiting += parents[next] ?? [] }
            }
            return reached
        }
    }

    /// Entities in the order they first appear.
    private(set) var order: [EntityKey] = []
    private(set) var lines: [EntityKey: Line] = [:]
    /// For each entity whose state is not simply all of its events, the events that count.
    private(set) var counted: [EntityKey: Set<EventID>] = [:]

    init(_ ordered: [Event]) {
        var heads: [EntityKey: Set<EventID>] = [:]
        for event in ordered {
            guard let entity = event.envelope.payload.entity else { continue }
            if lines[entity] == nil { order.append(entity) }
            var line = lines[entity, default: Line()]
            // An event written with no parents at all (the store's plain API, older imports) follows what the entity
            // held before it in fold order; only events that name their parents can be concurrent.
            // One that names none of the entity's events builds on its first, the creation every side shares.
            var parents = event.envelope.parents.isEmpty ? heads[entity, default: []].sorted()
                : event.envelope.parents.filter { line.parents[$0] != nil }
            if parents.isEmpty, let root = line.events.first { parents = [root] }
            line.events.append(event.id)
            line.parents[event.id] = parents
            if case .conflictResolved(let resolution) = event.envelope.payload { line.kept[event.id] = resolution.kept }
            heads[entity, default: []].subtract(parents)
            heads[entity, default: []].insert(event.id)
            lines[entity] = line
        }
        for entity in order {
            lines[entity]!.heads = heads[entity, default: []].sorted()
            let line = lines[entity]!
            guard line.heads.count > 1 || !line.kept.isEmpty else { continue }  // every event counts
            let sides = line.heads.map(line.counted(at:))
            counted[entity] = sides.dropFirst().reduce(sides[0]) { $0.intersection($1) }
        }
    }

    /// Whether `event` counts towards the state of `entity`.
    func counts(_ event: EventID, of entity: EntityKey) -> Bool { counted[entity]?.contains(event) ?? true }

    /// The entities with more than one head, in order of first appearance.
    var conflicted: [(entity: EntityKey, line: Line)] {
        order.compactMap { entity in lines[entity].flatMap { $0.heads.count > 1 ? (entity, $0) : nil } }
    }

    /// The same lines with one entity's counted events replaced: the state as one side of a conflict sees it.
    func seenFrom(_ head: EventID, of entity: EntityKey) -> EntityLines {
        var copy = self
        copy.counted[entity] = lines[entity]?.counted(at: head)
        return copy
    }
}
