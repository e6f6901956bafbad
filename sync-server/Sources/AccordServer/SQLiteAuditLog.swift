import AccordCore
import AccordLog
import Foundation
import GRDB

/// The audit log in the server's SQLite database: entries, the Merkle tree's complete subtrees and the signed
/// checkpoints. Every function runs inside the caller's transaction, so an entry and what it records commit together.
enum SQLiteAuditLog {
    static func size(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT coalesce(max(position) + 1, 0) FROM audit_log") ?? 0
    }

    /// The subtree hash (height, index), folded from the kept hashes below it (`StoredNodes`); nil when one of
    /// them is missing.
    static func node(height: Int, index: Int, _ db: Database) throws -> Data? {
        let base = StoredNodes.base(height: height, index: index)
        let read = try db.cachedStatement(sql: "SELECT hash FROM merkle_nodes WHERE height = ? AND idx >= ? AND idx < ? ORDER BY idx")
        let hashes = try Data.fetchAll(read, arguments: [base.height, base.indexes.lowerBound, base.indexes.upperBound])
        return hashes.count == base.indexes.count ? StoredNodes.fold(hashes) : nil
    }

    /// The right edge of the stored tree, from which appends are computed in memory.
    static func frontier(_ db: Database) throws -> MerkleFrontier {
        let size = try size(db)
        let nodes = try MerkleFrontier.coordinates(forSize: size).compactMap { coordinate in
            try node(height: coordinate.height, index: coordinate.index, db)
                .map { MerkleFrontier.Node(height: coordinate.height, index: coordinate.index, hash: $0) }
        }
        do { return try MerkleFrontier(size: size, nodes: nodes) } catch {
            throw ServerError("The audit log's tree is incomplete (\(error)); run `accord-server audit verify`.")
        }
    }

    /// Appends `entries` (their positions filled in), the subtree hashes they complete, and a signed checkpoint.
    static func record(_ entries: [AuditEntry], _ db: Database, key: ServerSigningKey, now: Int64) throws {
        guard let append = try prepare(entries, db) else { return }
        try insertRows(append, db)
        if let checkpoint = try append.checkpoint(key: key, now: now) { try insert(checkpoint, db) }
    }

    /// Appends `entries` within a group transaction (`GroupCommit`), after the edge the group has reached; the
    /// group signs one checkpoint when it ends.
    static func record(_ entries: [AuditEntry], _ db: Database, growth: LogGrowth, now: Int64) throws {
        guard let append = try prepare(entries, db, growth: growth) else { return }
        try insertRows(append, db)
        growth.appended(append, now: now)
    }

    /// The rows `entries` will take, with their positions, for a caller that must know them before writing; nil
    /// when there is nothing to append (a push of events all stored before), so the tree's edge is not even read.
    static func prepare(_ entries: [AuditEntry], _ db: Database, growth: LogGrowth? = nil) throws -> AuditAppend? {
        entries.isEmpty ? nil : try AuditAppend(entries, after: growth?.edge ?? frontier(db))
    }

    /// Inserts the entries and kept subtree hashes `prepare` built, in the same transaction.
    static func insertRows(_ append: AuditAppend, _ db: Database) throws {
        let insertEntry = try db.cachedStatement(sql: """
            INSERT INTO audit_log (position, kind, at, site, patient, event_id, entry, leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for row in append.rows {
            let entry = row.entry
            try BoundInsert.run(insertEntry, [.integer(entry.position), .text(entry.kind.rawValue), .text(entry.at), .text(entry.site),
                                              .text(entry.patient), .text(row.eventColumn), .blob(row.bytes), .blob(row.leaf)])
        }
        let insertNode = try db.cachedStatement(sql: "INSERT INTO merkle_nodes (height, idx, hash) VALUES (?, ?, ?)")
        for node in append.nodes where StoredNodes.isKept(height: node.height) {
            try BoundInsert.run(insertNode, [.integer(node.height), .integer(node.index), .blob(node.hash)])
        }
    }

    static func insert(_ checkpoint: Checkpoint, _ db: Database) throws {
        try db.execute(sql: "INSERT INTO checkpoints (size, root, at, signature, key) VALUES (?, ?, ?, ?, ?)",
                       arguments: [checkpoint.size, checkpoint.root, checkpoint.at, checkpoint.signature, checkpoint.key])
    }

    /// Proofs computed from the stored subtree hashes.
    static func proofs(_ db: Database) throws -> MerkleProofs {
        MerkleProofs { start, width in
            let height = width.trailingZeroBitCount
            guard let hash = try node(height: height, index: start >> height, db) else {
                throw ServerError("The audit log's tree is missing a node (height \(height), index \(start >> height)); run `accord-server audit verify`.")
            }
            return hash
        }
    }

    static func latestCheckpoint(_ db: Database) throws -> Checkpoint? {
        try Row.fetchOne(db, sql: "SELECT * FROM checkpoints ORDER BY size DESC LIMIT 1").map(checkpoint)
    }

    static func checkpoint(_ row: Row) -> Checkpoint {
        Checkpoint(size: row["size"], root: row["root"], at: row["at"], signature: row["signature"], key: row["key"])
    }

    static func inclusion(position: Int, in checkpoint: Checkpoint, _ db: Database) throws -> InclusionProof {
        guard let entry = try Data.fetchOne(db, sql: "SELECT entry FROM audit_log WHERE position = ?", arguments: [position]) else {
            throw ServerError("The audit log has no entry at position \(position).")
        }
        let path = try proofs(db).inclusion(index: position, size: checkpoint.size)
        return InclusionProof(position: position, size: checkpoint.size, entry: entry.base64EncodedString(), proof: path.map { $0.base64EncodedString() })
    }

    static func consistency(from old: Int, to new: Int, _ db: Database) throws -> ConsistencyProof {
        ConsistencyProof(from: old, to: new, proof: try proofs(db).consistency(old: old, new: new).map { $0.base64EncodedString() })
    }
}
