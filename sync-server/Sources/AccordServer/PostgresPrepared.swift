import Logging
import PostgresNIO

/// The text of a statement every push runs. Run through `PostgresConnection.run(_:_:logger:)`, PostgreSQL parses
/// and plans it once per connection instead of at every push: with 50 sites pushing small batches at once, parsing
/// and planning the push's statements anew was about 40% of PostgreSQL's CPU time (perf).
protocol PreparedText: Sendable {
    static var sql: String { get }
}

/// A `PreparedText` with the values for one run; the first run on a connection prepares it under the text's name.
struct Prepared<Text: PreparedText>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var name: String { "accord_" + String(describing: Text.self) }
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
