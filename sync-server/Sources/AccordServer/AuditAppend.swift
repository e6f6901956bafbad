import AccordCore
import AccordLog
import Foundation

/// The audit log rows one transaction writes, built in memory from the tree's right edge: each entry's position,
/// exact bytes and leaf hash, the subtree hashes the entries complete, and the checkpoint signed over the result.
/// Each storage loads the right edge (`MerkleFrontier.coordinates`), builds this, and inserts its rows.
struct AuditAppend {
    struct Row {
        var entry: AuditEntry
        var bytes: Data
        var leaf: Data
        /// The event id column: only an accepted event's entry is found by event id (a refused event may be
        /// refused many times, then accepted).
        var eventColumn: String? { entry.kind == .eventAccepted ? entry.event : nil }
    }

    private(set) var rows: [Row] = []
    private(set) var nodes: [MerkleFrontier.Node] = []
    private(set) var frontier: MerkleFrontier

    init(frontier: MerkleFrontier) { self.frontier = frontier }

    /// Builds the rows for `entries`, in order, after the tree whose right edge is `frontier`.
    init(_ entries: [AuditEntry], after frontier: MerkleFrontier) throws {
        self.init(frontier: frontier)
        for entry in entries { try append(entry) }
    }

    mutating func append(_ entry: AuditEntry) throws {
        var entry = entry
        entry.position = frontier.size
        let bytes = try entry.canonicalBytes()
        let leaf = MerkleHash.leaf(bytes)
        nodes += frontier.append(leaf)
        rows.append(Row(entry: entry, bytes: bytes, leaf: leaf))
    }

    /// Each accepted event's position in the log, by event id.
    var acceptedPositions: [String: Int] {
        Dictionary(rows.compactMap { row in row.eventColumn.map { ($0, row.entry.position) } }, uniquingKeysWith: { first, _ in first })
    }

    /// The checkpoint to store after these rows, signed with the server's key; nil when nothing was appended.
    func checkpoint(key: ServerSigningKey, now: Int64) throws -> Checkpoint? {
        guard !rows.isEmpty else { return nil }
        return try Checkpoint.sign(size: frontier.size, root: frontier.root, at: Timestamp.iso8601(epochMilliseconds: now), with: key.privateKey)
    }
}
