import Foundation
import GRDB

/// What the server's own rows for the pushed events cost SQLite alone: the events, their feed rows, their audit
/// entries and the log's tree nodes, copied from the server's database after the push and written again, with nothing
/// else, into a new file of the same schema: 1,000 events a commit, the server's pragmas (WAL, synchronous=FULL, its
/// page cache), no checkpoint while timed. No Accord code runs while it is timed, so no change to Accord's code can
/// make the push faster than this; only storing fewer or smaller rows can. It is held against `Floor` in the same run.
public enum StoredRowsFloor {
    /// The tables a push writes, in the order the server writes them, with the rows of the events at sequence
    /// 1...events (the benchmark's first push, so the audit positions and tree nodes that go with them).
    private static func rows(of events: Int, _ db: Database) throws -> [(table: String, rows: [[DatabaseValue]], event: [Int])] {
        let positions = try Int.fetchAll(db, sql: "SELECT audit_position FROM events WHERE seq <= ? ORDER BY seq", arguments: [events])
        guard positions.count == events, let last = positions.max() else {
            throw FloorError("the server holds \(positions.count) of the \(events) pushed events, each with its audit position")
        }
        // Rows of a table that belong to the event at seq, so each commit writes what the server wrote for its events.
        func table(_ name: String, where condition: String, _ arguments: StatementArguments, owner: (Row) -> Int) throws
            -> (table: String, rows: [[DatabaseValue]], event: [Int]) {
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM \(name) WHERE \(condition)", arguments: arguments)
            return (name, rows.map { Array($0.databaseValues) }, rows.map(owner))
        }
        let eventOfPosition = Dictionary(uniqueKeysWithValues: positions.enumerated().map { ($1, $0 + 1) })
        return [
            try table("events", where: "seq <= ? ORDER BY seq", [events]) { $0["seq"] },
            try table("feed", where: "event_seq <= ? ORDER BY seq", [events]) { $0["event_seq"] },
            try table("audit_log", where: "position <= ? ORDER BY position", [last]) { eventOfPosition[$0["position"]] ?? 1 },
            // Tree nodes are kept at every fourth height; a node is written with the leaf that completes it.
            try table("merkle_nodes", where: "(idx + 1) << height <= ? + 1 ORDER BY height, idx", [last]) { row in
                let height: Int = row["height"], index: Int = row["idx"]
                return eventOfPosition[((index + 1) << height) - 1] ?? 1
            },
        ]
    }

    /// Events a second, writing the server's rows for the events at sequence 1...events of the database at `server`
    /// into a file in `folder`, removed afterwards unless `keeping` names where to leave it.
    public static func eventsPerSecond(copying server: String, events: Int, in folder: URL, keeping: URL? = nil) throws -> Double {
        let source = try DatabaseQueue(path: server, configuration: { var c = Configuration(); c.readonly = true; return c }())
        let (schema, tables) = try source.read { db in
            (try String.fetchAll(db, sql: "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid"),
             try rows(of: events, db))
        }
        try source.close()
        let path = (keeping ?? folder.appendingPathComponent("stored-rows.sqlite")).path
        defer { if keeping == nil { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } } }
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // No checkpoint while timed (the server's run in the background): the rows' best case.
            try db.execute(sql: "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 0")
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in for statement in schema { try db.execute(sql: statement) } }
        // Each table's rows, split by the commit (1,000 events) they belong to, before the clock starts.
        let statements = tables.map { table in
            "INSERT INTO \(table.table) VALUES (\(Array(repeating: "?", count: table.rows.first?.count ?? 0).joined(separator: ", ")))"
        }
        var batches = Array(repeating: Array(repeating: [StatementArguments](), count: tables.count), count: (events + 999) / 1000)
        for (index, table) in tables.enumerated() {
            for (row, event) in zip(table.rows, table.event) { batches[(event - 1) / 1000][index].append(StatementArguments(row)) }
        }
        let start = DispatchTime.now().uptimeNanoseconds
        for batch in batches {
            try queue.write { db in
                for (index, rows) in batch.enumerated() where !rows.isEmpty {
                    let insert = try db.cachedStatement(sql: statements[index])
                    for arguments in rows { try insert.execute(arguments: arguments) }
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        try queue.close()
        return Double(events) / seconds
    }
}

/// Why a floor could not be measured.
public struct FloorError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
