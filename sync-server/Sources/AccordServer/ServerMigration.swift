import AccordLog
import Foundation
import GRDB
import Logging
import PostgresNIO

/// `accord-server migrate`: copies an embedded SQLite server database into an empty PostgreSQL database, row for
/// row (the audit log's entries, tree and signed checkpoints unchanged), in one transaction, then proves the copy
/// by checking the whole log on PostgreSQL and comparing its signed head with the source's.
public enum ServerMigration {
    /// Tables in the order their references need; each with the columns copied and how rows are paged.
    static let tables: [(name: String, columns: [String], key: [String])] = [
        ("sites", ["name", "credential_sha256", "created_at", "revoked_at"], ["rowid"]),
        ("auditors", ["name", "credential_sha256", "created_at", "revoked_at"], ["rowid"]),
        ("clinician_keys", ["fingerprint", "public_key", "site", "clinician_id", "clinician_name", "status", "registered_at", "decided_at"], ["rowid"]),
        ("events", ["seq", "id", "patient", "site", "type", "hlc_wall", "hlc_logical", "body", "received_at", "signature", "origin_store"], ["seq"]),
        ("care_team", ["patient", "site", "since_event"], ["rowid"]),
        ("feed", ["seq", "site", "event_seq"], ["seq"]),
        ("audit_log", ["position", "kind", "at", "site", "patient", "event_id", "entry", "leaf_hash"], ["position"]),
        ("merkle_nodes", ["height", "idx", "hash"], ["height", "idx"]),
        ("checkpoints", ["size", "root", "at", "signature", "key"], ["size"]),
    ]

    public struct Summary: Sendable {
        public var rows: [(table: String, count: Int)]
        public var report: AuditReport
        public var sourceHead: Checkpoint?
        public var targetHead: Checkpoint?
    }

    public static func copy(from source: SQLiteSyncRepository, to target: PostgresSyncRepository,
                            progress: @escaping @Sendable (String, Int) -> Void = { _, _ in }) async throws -> Summary {
        let logger = target.logger
        let counts = try await target.write { connection in
            for table in tables.map(\.name) {
                if try await PostgresSyncRepository.exists(PostgresQuery(unsafeSQL: "SELECT 1 FROM \(table) LIMIT 1"), connection, logger) {
                    throw ServerError("The PostgreSQL database already holds data (table \(table)); migrate into a new, empty database.")
                }
            }
            var counts: [(String, Int)] = []
            for table in tables {
                var copied = 0
                var after: [DatabaseValue]?
                while true {
                    let page = try source.page(of: table.name, columns: table.columns, key: table.key, after: after, limit: 2_000)
                    guard !page.isEmpty else { break }
                    var insert = PostgresInsert(into: table.name, columns: table.columns)
                    for row in page {
                        insert.row { binds in for value in row.values { try bind(value, into: &binds) } }
                    }
                    try await insert.run(on: connection, logger: logger)
                    copied += page.count
                    after = page.last?.key
                    progress(table.name, copied)
                }
                counts.append((table.name, copied))
            }
            // New feed rows continue after the copied ones.
            try await connection.query("SELECT setval(pg_get_serial_sequence('feed', 'seq'), greatest((SELECT max(seq) FROM feed), 1))", logger: logger)
            return counts
        }
        return Summary(rows: counts, report: try await target.verifyAuditLog(),
                       sourceHead: try source.currentCheckpoint(), targetHead: try await target.latestCheckpoint())
    }

    static func bind(_ value: DatabaseValue, into binds: inout PostgresBindings) throws {
        switch value.storage {
        case .null: binds.appendNull()
        case .int64(let number): binds.append(number)
        case .double(let number): binds.append(number)
        case .string(let text): binds.append(text)
        case .blob(let data): try binds.append(data)
        }
    }
}

extension SQLiteSyncRepository {
    /// Up to `limit` rows of `table` after the key `after`, in key order: the values of `columns`, and each row's key.
    func page(of table: String, columns: [String], key: [String], after: [DatabaseValue]?, limit: Int) throws -> [(values: [DatabaseValue], key: [DatabaseValue])] {
        try pool.read { db in
            let keyList = key.joined(separator: ", ")
            var sql = "SELECT \(columns.joined(separator: ", ")), \(keyList) FROM \(table)"
            var arguments = StatementArguments()
            if let after {
                sql += " WHERE (\(keyList)) > (\(key.map { _ in "?" }.joined(separator: ", ")))"
                arguments = StatementArguments(after)
            }
            sql += " ORDER BY \(keyList) LIMIT \(limit)"
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                let values = (0..<columns.count).map { row[$0] as DatabaseValue }
                let keyValues = (columns.count..<(columns.count + key.count)).map { row[$0] as DatabaseValue }
                return (values, keyValues)
            }
        }
    }
}
