import Foundation
import GRDB

/// The machine's floor for durable appends, measured in the same run as the figures held against it: a table with a
/// unique random 32-byte id and a body the size of an event, 1,000 rows per commit, WAL, synchronous=FULL.
public enum Floor {
    /// Rows per second, `rows` of them (100,000 by default) into a new file in `folder`.
    public static func rowsPerSecond(in folder: URL, rows: Int = 100_000, bodyBytes: Int = 344) throws -> Double {
        let path = folder.appendingPathComponent("floor.sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in try db.execute(sql: "CREATE TABLE floor (seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, body BLOB NOT NULL)") }
        var generator = SystemRandomNumberGenerator()
        let body = Data((0..<bodyBytes).map { _ in UInt8.random(in: 32...126) })
        let start = DispatchTime.now().uptimeNanoseconds
        for batch in stride(from: 0, to: rows, by: 1000) {
            try queue.write { db in
                let insert = try db.cachedStatement(sql: "INSERT INTO floor (id, body) VALUES (?, ?)")
                for _ in batch..<min(batch + 1000, rows) {
                    let id = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
                    try insert.execute(arguments: [id, body])
                }
            }
        }
        return Double(rows) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}
