import AccordCore
import AccordLog
import Foundation
import Logging
import PostgresNIO

/// The audit log in the shared PostgreSQL database: the same rows as `SQLiteAuditLog`, written in bulk by the
/// writer that holds the write lock, so the log stays one sequence whichever instance appends.
enum PostgresAuditLog {
    static func size(_ connection: PostgresConnection, _ logger: Logger) async throws -> Int {
        let rows = try await connection.query("SELECT coalesce(max(position) + 1, 0)::BIGINT FROM audit_log", logger: logger)
        for try await size in rows.decode(Int64.self) { return Int(size) }
        return 0
    }

    /// The kept hashes of the subtrees given as three arrays: height, first index, index past the last.
    /// LATERAL with OFFSET 0: one range scan of the primary key per subtree. A plain join with range conditions is
    /// planned as a hash join over the whole table, and so is a LATERAL subquery without the OFFSET, which
    /// PostgreSQL flattens into that join once more than a few subtrees are asked for: 37-47 ms a proof or a push
    /// at 100,000 entries, against 0.5 ms.
    static let subtreeHashesSQL = """
        SELECT w.height, n.idx, n.hash
        FROM (SELECT DISTINCT * FROM unnest($1::BIGINT[], $2::BIGINT[], $3::BIGINT[])) AS w(height, first, last)
        CROSS JOIN LATERAL (SELECT m.idx, m.hash FROM merkle_nodes m WHERE m.height = w.height AND m.idx >= w.first AND m.idx < w.last OFFSET 0) AS n
        """

    /// The subtree hashes at `coordinates`, each folded from the kept hashes below it (`StoredNodes`), read in one
    /// query; a coordinate with a kept hash missing is left out.
    static func nodes(_ coordinates: [(height: Int, index: Int)], _ connection: PostgresConnection, _ logger: Logger) async throws -> [MerkleFrontier.Node] {
        guard !coordinates.isEmpty else { return [] }
        let bases = coordinates.map { StoredNodes.base(height: $0.height, index: $0.index) }
        var heights: [Int64] = [], firsts: [Int64] = [], ends: [Int64] = []
        for base in bases { heights.append(Int64(base.height)); firsts.append(Int64(base.indexes.lowerBound)); ends.append(Int64(base.indexes.upperBound)) }
        var binds = PostgresBindings()
        try binds.append(heights)
        try binds.append(firsts)
        try binds.append(ends)
        let rows = try await connection.query(PostgresQuery(unsafeSQL: subtreeHashesSQL, binds: binds), logger: logger)
        var kept: [String: Data] = [:]
        for try await (height, index, hash) in rows.decode((Int64, Int64, Data).self) { kept["\(height)/\(index)"] = hash }
        return zip(coordinates, bases).compactMap { coordinate, base in
            let hashes = base.indexes.compactMap { kept["\(base.height)/\($0)"] }
            guard hashes.count == base.indexes.count else { return nil }
            return MerkleFrontier.Node(height: coordinate.height, index: coordinate.index, hash: StoredNodes.fold(hashes))
        }
    }

    static func frontier(_ connection: PostgresConnection, _ logger: Logger) async throws -> MerkleFrontier {
        let size = try await size(connection, logger)
        do { return try MerkleFrontier(size: size, nodes: try await nodes(MerkleFrontier.coordinates(forSize: size), connection, logger)) } catch let error as MerkleFrontier.MissingNode {
            throw ServerError("The audit log's tree is incomplete (\(error)); run `accord-server audit verify`.")
        }
    }

    /// Appends `entries`, the subtree hashes they complete and a signed checkpoint; the caller holds the write lock.
    static func record(_ entries: [AuditEntry], _ connection: PostgresConnection, _ logger: Logger, key: ServerSigningKey, now: Int64) async throws {
        guard !entries.isEmpty else { return }
        let append = try AuditAppend(entries, after: try await frontier(connection, logger))
        try await insertRows(append, connection, logger)
        if let checkpoint = try append.checkpoint(key: key, now: now) { try await insert(checkpoint, connection, logger) }
    }

    /// Appends `entries` within a group transaction (`GroupCommit`), after the edge the group has reached; the
    /// group signs one checkpoint when it ends.
    static func record(_ entries: [AuditEntry], _ connection: PostgresConnection, _ logger: Logger, growth: LogGrowth, now: Int64) async throws {
        guard !entries.isEmpty else { return }
        let edge: MerkleFrontier
        if let reached = growth.edge { edge = reached } else { edge = try await frontier(connection, logger) }
        let append = try AuditAppend(entries, after: edge)
        try await insertRows(append, connection, logger)
        growth.appended(append, now: now)
    }

    /// Inserts the entries and kept subtree hashes of `append`.
    static func insertRows(_ append: AuditAppend, _ connection: PostgresConnection, _ logger: Logger) async throws {
        // Column arrays, one statement each: a VALUES list of a whole push would bind tens of thousands of
        // parameters, parsed and planned anew every time. Absent text travels as '' (no site, patient or event id
        // is empty) and is stored as NULL.
        var positions: [Int64] = [], kinds: [String] = [], ats: [String] = [], sites: [String] = [], patients: [String] = []
        var events: [String] = [], entries: [ByteBuffer] = [], leaves: [ByteBuffer] = []
        for row in append.rows {
            let entry = row.entry
            positions.append(Int64(entry.position)); kinds.append(entry.kind.rawValue); ats.append(entry.at)
            sites.append(entry.site ?? ""); patients.append(entry.patient ?? ""); events.append(row.eventColumn ?? "")
            entries.append(ByteBuffer(bytes: row.bytes)); leaves.append(ByteBuffer(bytes: row.leaf))
        }
        var binds = PostgresBindings(capacity: 8)
        binds.append(positions); binds.append(kinds); binds.append(ats); binds.append(sites)
        binds.append(patients); binds.append(events); binds.append(entries); binds.append(leaves)
        _ = try await connection.run(InsertEntries.self, binds, logger: logger)
        let kept = append.nodes.filter { StoredNodes.isKept(height: $0.height) }
        if !kept.isEmpty {
            let heights = kept.map { Int32($0.height) }, indexes = kept.map { Int64($0.index) }
            let hashes = kept.map { ByteBuffer(bytes: $0.hash) }
            var binds = PostgresBindings(capacity: 3)
            binds.append(heights); binds.append(indexes); binds.append(hashes)
            _ = try await connection.run(InsertNodes.self, binds, logger: logger)
        }
    }

    enum InsertEntries: PreparedText {
        static let sql = """
            INSERT INTO audit_log (position, kind, at, site, patient, event_id, entry, leaf_hash)
            SELECT t.position, t.kind, t.at, NULLIF(t.site, ''), NULLIF(t.patient, ''), NULLIF(t.event, ''), t.entry, t.leaf
            FROM unnest($1::BIGINT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::BYTEA[], $8::BYTEA[])
                AS t(position, kind, at, site, patient, event, entry, leaf)
            ORDER BY t.position
            """
    }

    enum InsertNodes: PreparedText {
        static let sql = "INSERT INTO merkle_nodes (height, idx, hash) SELECT * FROM unnest($1::INTEGER[], $2::BIGINT[], $3::BYTEA[])"
    }

    static func insert(_ checkpoint: Checkpoint, _ connection: PostgresConnection, _ logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO checkpoints (size, root, at, signature, key)
            VALUES (\(Int64(checkpoint.size)), \(checkpoint.root), \(checkpoint.at), \(checkpoint.signature), \(checkpoint.key))
            """, logger: logger)
    }

    static func latestCheckpoint(_ connection: PostgresConnection, _ logger: Logger) async throws -> Checkpoint? {
        try await checkpoints(connection, logger, "SELECT size, root, at, signature, key FROM checkpoints ORDER BY size DESC LIMIT 1").first
    }

    static func checkpoints(_ connection: PostgresConnection, _ logger: Logger, _ query: PostgresQuery) async throws -> [Checkpoint] {
        var result: [Checkpoint] = []
        for try await (size, root, at, signature, key) in try await connection.query(query, logger: logger).decode((Int64, String, String, String, String).self) {
            result.append(Checkpoint(size: Int(size), root: root, at: at, signature: signature, key: key))
        }
        return result
    }

    /// Proofs from the stored subtree hashes: the subtrees a proof needs depend only on the sizes, so they are
    /// named first (with placeholder hashes), fetched in one query, then the proof is computed from them.
    static func proofs(needing compute: (MerkleProofs) throws -> Void, _ connection: PostgresConnection, _ logger: Logger) async throws -> MerkleProofs {
        final class Wanted: @unchecked Sendable { var coordinates: [(height: Int, index: Int)] = [] }
        let wanted = Wanted()
        try compute(MerkleProofs { start, width in
            wanted.coordinates.append((width.trailingZeroBitCount, start >> width.trailingZeroBitCount))
            return Data(count: MerkleHash.size)
        })
        var stored: [String: Data] = [:]
        for node in try await nodes(wanted.coordinates, connection, logger) { stored["\(node.height)/\(node.index)"] = node.hash }
        return MerkleProofs { start, width in
            let height = width.trailingZeroBitCount
            guard let hash = stored["\(height)/\(start >> height)"] else {
                throw ServerError("The audit log's tree is missing a node (height \(height), index \(start >> height)); run `accord-server audit verify`.")
            }
            return hash
        }
    }

    static func inclusion(position: Int, in checkpoint: Checkpoint, _ connection: PostgresConnection, _ logger: Logger) async throws -> InclusionProof {
        var entry: Data?
        for try await bytes in try await connection.query("SELECT entry FROM audit_log WHERE position = \(Int64(position))", logger: logger).decode(Data.self) {
            entry = bytes
        }
        guard let entry else { throw ServerError("The audit log has no entry at position \(position).") }
        let proofs = try await proofs(needing: { _ = try $0.inclusion(index: position, size: checkpoint.size) }, connection, logger)
        let path = try proofs.inclusion(index: position, size: checkpoint.size)
        return InclusionProof(position: position, size: checkpoint.size, entry: entry.base64EncodedString(), proof: path.map { $0.base64EncodedString() })
    }

    static func consistency(from old: Int, to new: Int, _ connection: PostgresConnection, _ logger: Logger) async throws -> ConsistencyProof {
        let proofs = try await proofs(needing: { _ = try $0.consistency(old: old, new: new) }, connection, logger)
        return ConsistencyProof(from: old, to: new, proof: try proofs.consistency(old: old, new: new).map { $0.base64EncodedString() })
    }
}
