import Foundation
import GRDB

/// The machine's floor for durable appends, measured in the same run as the figures held against it: a table with a
/// unique random 32-byte id and a body the size of an event, 1,000 rows per commit, WAL, synchronous=FULL. It is
/// measured with as many rows as the figure it is held against stores: appends slow down as the random-id index
/// outgrows the cache (here 68,500 rows/s over the first 100,000 rows, 31,800 over 1,000,000).
public enum Floor {
    /// Rows per second, `rows` of them into a new file in `folder`.
    public static func rowsPerSecond(in folder: URL, rows: Int, bodyBytes: Int = 344) throws -> Double {
        let path = folder.appendingPathComponent("floor.sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.write { db in try db.execute(sql: "CREATE TABLE floor (seq INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, body BLOB NOT NULL)") }
        // The ids are drawn before the clock starts, eight bytes a call: drawn a byte at a time inside the timed loop
        // (a system call a byte), they made the floor measure the random-number generator instead of the disk.
        var generator = SystemRandomNumberGenerator()
        let ids = (0..<rows).map { _ in
            var id = Data(count: 32)
            id.withUnsafeMutableBytes { bytes in for word in 0..<4 { bytes.storeBytes(of: generator.next(), toByteOffset: word * 8, as: UInt64.self) } }
            return id
        }
        let body = Data((0..<bodyBytes).map { _ in UInt8.random(in: 32...126) })
        let start = DispatchTime.now().uptimeNanoseconds
        for batch in stride(from: 0, to: rows, by: 1000) {
            try queue.write { db in
                let insert = try db.cachedStatement(sql: "INSERT INTO floor (id, body) VALUES (?, ?)")
                for row in batch..<min(batch + 1000, rows) { try insert.execute(arguments: [ids[row], body]) }
            }
        }
        return Double(rows) / (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
}
