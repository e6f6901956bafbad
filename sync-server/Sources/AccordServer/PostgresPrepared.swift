import AccordCore
import Crypto
import Foundation
import Logging
import PostgresNIO

/// The text of a statement every push runs. Run through `PostgresConnection.run(_:_:logger:)`, PostgreSQL parses
/// and plans it once per connection instead of at every push: with 50 sites pushing small batches at once, parsing
/// and planning the push's statements anew was about 40% of PostgreSQL's CPU time (perf).
protocol PreparedText: Sendable {
    static var sql: String { get }
}

/// A `PreparedText` with the values for one run; the first run on a connection prepares it under a name taken from
/// its text. A connection runs whatever it prepared under a name, so two texts must never share one: a type's name
/// can repeat across scopes, and PostgreSQL cuts names at 63 bytes (PostgresNIO's default would be cut).
struct Prepared<Text: PreparedText>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var name: String { "accord_" + HexEncoding.encode(SHA256.hash(data: Data(Text.sql.utf8)).prefix(16)) }
    static var sql: String { Text.sql }
    let bindings: PostgresBindings
    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

extension PostgresConnection {
    /// Runs `text` with `bindings` (one per placeholder, in order) and returns its rows.
    func run<Text: PreparedText>(_ text: Text.Type, _ bindings: PostgresBindings, logger: Logger) async throws -> [PostgresRow] {
        var rows: [PostgresRow] = []
        for try await row in try await execute(Prepared<Text>(bindings: bindings), logger: logger) { rows.append(row) }
        return rows
    }
}
