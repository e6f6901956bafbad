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

    /// Appends an entry (its position is filled in) and the subtree hashes it completes.
    @discardableResult
    static func append(_ entry: AuditEntry, _ db: Database) throws -> AuditEntry {
        var entry = entry
        entry.position = try size(db)
        let bytes = try entry.canonicalBytes()
        var hash = MerkleHash.leaf(bytes)
        try db.cachedStatement(sql: """
            INSERT INTO audit_log (position, kind, at, site, patient, event_id, entry, leaf_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [entry.position, entry.kind.rawValue, entry.at, entry.site, entry.patient, eventColumn(entry), bytes, hash])
        let insertNode = try db.cachedStatement(sql: "INSERT INTO merkle_nodes (height, idx, hash) VALUES (?, ?, ?)")
        let readNode = try db.cachedStatement(sql: "SELECT hash FROM merkle_nodes WHERE height = ? AND idx = ?")
        var height = 0, index = entry.position
        try insertNode.execute(arguments: [height, index, hash])
        while index & 1 == 1 {
            guard let left = try Data.fetchOne(readNode, arguments: [height, index - 1]) else {
                throw ServerError("The audit log's tree is missing a node (height \(height), index \(index - 1)); run `accord-server audit verify`.")
            }
            hash = MerkleHash.node(left, hash)
            height += 1
            index >>= 1
            try insertNode.execute(arguments: [height, index, hash])
        }
        return entry
    }

    /// Only an accepted event's entry is found by event id: a refused event may be refused many times, then accepted.
    static func eventColumn(_ entry: AuditEntry) -> String? { entry.kind == .eventAccepted ? entry.event : nil }

    /// Proofs computed from the stored subtree hashes.
    static func proofs(_ db: Database) throws -> MerkleProofs {
        let readNode = try db.cachedStatement(sql: "SELECT hash FROM merkle_nodes WHERE height = ? AND idx = ?")
        return MerkleProofs { start, width in
            let height = width.trailingZeroBitCount
            guard let hash = try Data.fetchOne(readNode, arguments: [height, start >> height]) else {
                throw ServerError("The audit log's tree is missing a node (height \(height), index \(start >> height)); run `accord-server audit verify`.")
            }
            return hash
        }
    }

    /// Signs a checkpoint of the log as it stands, unless the latest one already covers it.
    @discardableResult
    static func checkpoint(_ db: Database, key: ServerSigningKey, now: Int64) throws -> Checkpoint? {
        let size = try size(db)
        if let latest = try latestCheckpoint(db), latest.size == size { return latest }
        guard size > 0 else { return nil }
        let root = try proofs(db).root(size: size)
        let checkpoint = try Checkpoint.sign(size: size, root: root, at: Timestamp.iso8601(epochMilliseconds: now), with: key.privateKey)
        try db.execute(sql: "INSERT INTO checkpoints (size, root, at, signature, key) VALUES (?, ?, ?, ?, ?)",
                       arguments: [checkpoint.size, checkpoint.root, checkpoint.at, checkpoint.signature, checkpoint.key])
        return checkpoint
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
