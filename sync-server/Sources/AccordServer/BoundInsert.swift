import Foundation
import GRDB
import GRDBSQLite

/// Runs a prepared INSERT with its values bound straight through SQLite's C interface. A push inserts about five
/// rows an event (the event, its feed entries, its audit entry, the log's tree nodes), and GRDB's conversion of
/// each argument list cost about 7% of the server's CPU time per push. Only for INSERTs inside the caller's
/// transaction: GRDB is not told the statement ran, which would matter only to transaction observers, and the
/// server registers none. Errors are GRDB's `DatabaseError`, with SQLite's extended result code, as GRDB throws them.
enum BoundInsert {
    enum Value {
        case integer(Int64)
        case text(String)
        case blob(Data)
        case null

        static func text(_ text: String?) -> Value { text.map(Value.text) ?? .null }
        static func blob(_ data: Data?) -> Value { data.map(Value.blob) ?? .null }
        static func integer(_ number: Int?) -> Value { number.map { .integer(Int64($0)) } ?? .null }
    }

    /// SQLite copies bound text and blobs before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func run(_ statement: Statement, _ values: [Value]) throws {
        let handle = statement.sqliteStatement
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .integer(let number): code = sqlite3_bind_int64(handle, index, number)
            case .text(let text): code = sqlite3_bind_text(handle, index, text, Int32(text.utf8.count), transient)
            case .blob(let data) where data.isEmpty: code = sqlite3_bind_zeroblob(handle, index, 0)
            case .blob(let data): code = data.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), transient) }
            case .null: code = sqlite3_bind_null(handle, index)
            }
            guard code == SQLITE_OK else { throw failure(code, statement) }
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else { throw failure(code, statement) }
    }

    private static func failure(_ code: Int32, _ statement: Statement) -> DatabaseError {
        let message = sqlite3_errmsg(sqlite3_db_handle(statement.sqliteStatement)).map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
    }
}
