import Foundation
import PostgresNIO

/// A multi-row INSERT with bound values, sent in as few statements as the protocol's bind limit allows: one round
/// trip for a whole push instead of one per row.
struct PostgresInsert {
    let head: String
    let tail: String
    let width: Int
    private var rows: [(inout PostgresBindings) throws -> Void] = []

    /// `INSERT INTO table (columns) VALUES (...), (...) tail`.
    init(into table: String, columns: [String], tail: String = "") {
        head = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        self.tail = tail
        width = columns.count
    }

    var isEmpty: Bool { rows.isEmpty }

    /// Adds a row; `bind` appends exactly one value per column, in order, when the statement is built.
    mutating func row(_ bind: @escaping (inout PostgresBindings) throws -> Void) {
        rows.append(bind)
    }

    func run(on connection: PostgresConnection, logger: Logger) async throws {
        let perStatement = max(1, 30_000 / width)
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + perStatement)]
            var sql = head
            var binds = PostgresBindings(capacity: chunk.count * width)
            for (index, bind) in chunk.enumerated() {
                if index > 0 { sql += ", " }
                let first = index * width + 1
                sql += "(" + (first..<(first + width)).map { "$\($0)" }.joined(separator: ", ") + ")"
                try bind(&binds)
                precondition(binds.count == (index + 1) * width, "each row binds one value per column")
            }
            try await connection.query(PostgresQuery(unsafeSQL: sql + tail, binds: binds), logger: logger)
            start += perStatement
        }
    }
}
