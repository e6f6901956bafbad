import AccordCore
import AccordLog
import Crypto
import Foundation

/// What `accord-server audit verify` found. `firstBadPosition` is the earliest log position any problem points at.
public struct AuditReport: Encodable, Sendable {
    public struct Problem: Codable, Sendable {
        public var position: Int
        public var problem: String
        /// True when the problem is pinned to this position; false when it only bounds a range starting there
        /// (a checkpoint that no longer matches).
        public var exact: Bool = true
    }

    public var ok: Bool { problems.isEmpty }
    public var entries: Int
    public var checkpoints: Int
    public var events: Int
    public var problems: [Problem]
    /// The earliest position a problem is pinned to; failing that, where the first range with a problem starts.
    public var firstBadPosition: Int? {
        problems.filter(\.exact).map(\.position).min() ?? problems.map(\.position).min()
    }
    public var seconds: Double

    enum CodingKeys: String, CodingKey { case ok, entries, checkpoints, events, problems, firstBadPosition, seconds }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ok, forKey: .ok)
        try container.encode(entries, forKey: .entries)
        try container.encode(checkpoints, forKey: .checkpoints)
        try container.encode(events, forKey: .events)
        try container.encode(problems, forKey: .problems)
        try container.encode(firstBadPosition, forKey: .firstBadPosition)
        try container.encode(seconds, forKey: .seconds)
    }

    init(entries: Int, checkpoints: Int, events: Int, problems: [Problem], seconds: Double) {
        self.entries = entries; self.checkpoints = checkpoints; self.events = events; self.problems = problems; self.seconds = seconds
    }
}

/// Rebuilds the log from its stored entries and checks every hash, signature and checkpoint, one row at a time,
/// whatever the storage. Feed it rows in position order, then `finish`.
public struct AuditLogChecker {
    /// One stored row of the log, with the event it records when there is one.
    public struct Row {
        public var position: Int
        public var kind: String
        public var at: String
        public var site: String?
        public var patient: String?
        public var eventID: String?
        public var entry: Data
        public var leafHash: Data
        /// The events table's bytes and signature for `eventID`, when that row exists.
        public var eventBody: Data?
        public var eventSignature: Data?
        /// Where the events row says its entry is, for a storage that keeps it there (SQLite); nil otherwise.
        public var eventLogPosition: Int?

        public init(position: Int, kind: String, at: String, site: String?, patient: String?, eventID: String?, entry: Data,
                    leafHash: Data, eventBody: Data?, eventSignature: Data?, eventLogPosition: Int? = nil) {
            self.position = position; self.kind = kind; self.at = at; self.site = site; self.patient = patient
            self.eventID = eventID; self.entry = entry; self.leafHash = leafHash; self.eventBody = eventBody; self.eventSignature = eventSignature
            self.eventLogPosition = eventLogPosition
        }
    }

    let serverKey: Data
    private(set) var levels = MerkleLevels()
    /// Who may see what, rebuilt from the entries as they are read.
    private(set) var access = AccessState()
    private(set) var problems: [AuditReport.Problem] = []
    private var expected = 0
    private var events = 0
    /// Positions already found bad, so a stored subtree over them is not reported again.
    private var badPositions = Set<Int>()

    public init(serverKey: Data) { self.serverKey = serverKey }

    mutating func flag(_ position: Int, _ problem: String) {
        badPositions.insert(position)
        // Keep the report readable when a whole range is bad: the first problems say where it starts.
        if problems.count < 100 { problems.append(.init(position: position, problem: problem)) }
    }

    public mutating func check(_ row: Row) {
        if row.position != expected {
            flag(expected, row.position > expected
                 ? "entries \(expected)..<\(row.position) are missing from the log (deleted)"
                 : "entry \(row.position) appears out of order")
            // Carry on from the row we have, so later positions are still checked against their own place.
            while levels.size < row.position { levels.append(Data(count: 32)) }
            expected = row.position
        }
        let leaf = MerkleHash.leaf(row.entry)
        if leaf != row.leafHash {
            flag(row.position, "entry \(row.position) was changed: its bytes no longer hash to the leaf recorded when it was written")
        }
        if let fields = FlatJSONFields(row.entry) {
            if fields.integers["position"] != row.position {
                flag(row.position, "the row at position \(row.position) holds the entry written for position \(fields.integers["position"].map(String.init) ?? "?") (rows were moved or swapped)")
            }
            let columns: [(String, String?)] = [("kind", row.kind), ("at", row.at), ("site", row.site), ("patient", row.patient),
                                                 ("event", row.kind == AuditEntry.Kind.eventAccepted.rawValue ? row.eventID : fields.strings["event"])]
            for (name, value) in columns where fields.strings[name] != value {
                flag(row.position, "the \(name) column of entry \(row.position) says \(value ?? "nothing") but the entry's bytes say \(fields.strings[name] ?? "nothing") (edited)")
            }
            if row.kind != AuditEntry.Kind.eventAccepted.rawValue, row.eventID != nil {
                flag(row.position, "entry \(row.position) is a \(row.kind) entry but its row names event \(row.eventID!.prefix(12)) (edited)")
            }
            if row.kind == AuditEntry.Kind.eventAccepted.rawValue {
                events += 1
                checkEvent(row, signature: fields.strings["signature"])
            }
            let shares = fields.strings["eventType"] == EventType.patientShared.rawValue
            access.apply(fields, position: row.position, body: shares ? row.eventBody : nil)
        } else {
            flag(row.position, "entry \(row.position) is not a readable log entry (edited)")
        }
        levels.append(leaf)
        expected += 1
    }

    mutating func checkEvent(_ row: Row, signature: String?) {
        guard let id = row.eventID, let body = row.eventBody else {
            return flag(row.position, "the event recorded at \(row.position) (\(row.eventID?.prefix(12) ?? "?")) is missing from the events table (deleted)")
        }
        if EventID(hashing: body).hex != id {
            flag(row.position, "the stored bytes of event \(id.prefix(12)) (log position \(row.position)) no longer hash to its id (edited)")
        }
        if let recorded = row.eventLogPosition, recorded != row.position {
            flag(row.position, "entry \(row.position) records event \(id.prefix(12)), which the events table says was logged at \(recorded) (a second entry for one event, or a moved one)")
        }
        if row.eventSignature?.base64EncodedString() != signature {
            flag(row.position, "the stored signature of event \(id.prefix(12)) (log position \(row.position)) is not the one the log recorded (replaced)")
        }
    }

    /// Checks the signed checkpoints against the rebuilt tree, and the stored subtree hashes that proofs are served from.
    /// Checks one stored subtree hash (after every row was checked); proofs are served from these.
    public mutating func checkNode(height: Int, index: Int, hash: Data) {
        let width = 1 << height
        let start = index * width
        guard start + width <= levels.size, height < levels.levels.count, index < levels.levels[height].count else {
            return flag(min(start, levels.size), "a stored tree node (height \(height), index \(index)) covers entries the log does not hold")
        }
        // A stored leaf that differs from its entry pins the change to that entry even when the leaf column was
        // rewritten to match; above the leaves, a node is reported only when no entry under it is already known bad.
        if levels.levels[height][index] != hash, height == 0 || !(start..<(start + width)).contains(where: badPositions.contains) {
            flag(start, height == 0
                 ? "entry \(start) differs from the leaf hash the tree was built with when it was written (entry and leaf rewritten together)"
                 : "the stored tree node over entries \(start)..<\(start + width) does not match them; proofs served from it would be wrong")
        }
    }

    public func finish(checkpoints: [Checkpoint], eventsOutsideLog: [String], access tables: AccessTables, started: Date) -> AuditReport {
        var problems = self.problems + access.differences(from: tables, logSize: levels.size)
        let size = levels.size
        let proofs = levels.proofs
        var lastGood = 0
        var failing = 0
        for checkpoint in checkpoints.sorted(by: { $0.size < $1.size }) {
            guard checkpoint.verifies(with: serverKey) else {
                problems.append(.init(position: max(lastGood, 0), problem: "the checkpoint of size \(checkpoint.size) is not signed by this server's key (forged or re-signed)", exact: false))
                continue
            }
            guard checkpoint.size <= size else {
                problems.append(.init(position: size, problem: "a signed checkpoint covers \(checkpoint.size) entries but the log holds \(size): entries \(size)..<\(checkpoint.size) were deleted"))
                continue
            }
            if (try? proofs.root(size: checkpoint.size))?.hexString != checkpoint.root {
                failing += 1
                if failing == 1 {
                    problems.append(.init(position: lastGood, problem: "the log no longer matches the checkpoint signed at size \(checkpoint.size) (\(checkpoint.at)): an entry in \(lastGood)..<\(checkpoint.size) was changed, inserted, removed or moved", exact: false))
                }
            } else {
                lastGood = checkpoint.size
            }
        }
        if failing > 1 {
            problems.append(.init(position: lastGood, problem: "\(failing - 1) later checkpoint(s) no longer match either", exact: false))
        }
        if let latest = checkpoints.map(\.size).max(), latest < size {
            problems.append(.init(position: latest, problem: "entries \(latest)..<\(size) are not covered by any signed checkpoint (inserted after the last one)"))
        }
        for id in eventsOutsideLog.prefix(20) {
            problems.append(.init(position: size, problem: "event \(id.prefix(12)) is in the events table but was never written to the audit log (inserted)"))
        }
        return AuditReport(entries: size, checkpoints: checkpoints.count, events: events, problems: problems,
                           seconds: Date().timeIntervalSince(started))
    }
}
