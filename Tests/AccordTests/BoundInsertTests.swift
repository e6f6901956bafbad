@testable import AccordServer
import Foundation
import GRDB
import Testing

/// The server's push path binds its INSERTs through SQLite's C interface; what it stores and the errors it throws
/// must be what GRDB's own binding would give.
@Suite("Bound inserts")
struct BoundInsertTests {
    @Test("values are stored as GRDB stores them: integers, text with any character, blobs, an empty blob, NULL")
    func storesValues() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (n INTEGER, s TEXT, b BLOB, e BLOB, z TEXT)")
            let insert = try db.cachedStatement(sql: "INSERT INTO t (n, s, b, e, z) VALUES (?, ?, ?, ?, ?)")
            let text = "é\u{0}x 漢 😀"
            try BoundInsert.run(insert, [.integer(Int64.min), .text(text), .blob(Data([0, 1, 255])), .blob(Data()), .text(nil)])
            try insert.execute(arguments: [Int64.min, text, Data([0, 1, 255]), Data(), nil])
            let rows = try Row.fetchAll(db, sql: "SELECT n, s, b, e, z, typeof(e) AS eType, typeof(z) AS zType FROM t")
            #expect(rows.count == 2 && rows[0] == rows[1], "\(rows)")
            #expect(rows[0]["eType"] == "blob" && rows[0]["zType"] == "null")
        }
    }

    @Test("a refused insert throws GRDB's error with SQLite's code, writes nothing, and leaves the statement reusable")
    func refusalIsAnError() throws {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (id BLOB PRIMARY KEY, note TEXT NOT NULL)")
            let insert = try db.cachedStatement(sql: "INSERT INTO t (id, note) VALUES (?, ?)")
            try BoundInsert.run(insert, [.blob(Data([1])), .text("first")])
            let duplicate = #expect(throws: DatabaseError.self) { try BoundInsert.run(insert, [.blob(Data([1])), .text("again")]) }
            #expect(duplicate?.resultCode == .SQLITE_CONSTRAINT && duplicate?.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY)
            let missing = #expect(throws: DatabaseError.self) { try BoundInsert.run(insert, [.blob(Data([2])), .null]) }
            #expect(missing?.extendedResultCode == .SQLITE_CONSTRAINT_NOTNULL)
            try BoundInsert.run(insert, [.blob(Data([2])), .text("second")])
            #expect(try String.fetchAll(db, sql: "SELECT note FROM t ORDER BY id") == ["first", "second"])
        }
    }
}
