import AccordCore
import AccordLog
import AccordSchema
import AccordSync
import Foundation
import Logging
import PostgresNIO

/// The server's storage on PostgreSQL, for several `accord-server` instances in front of one database.
///
/// Every write takes one transaction-scoped advisory lock first (`writeLock`), so writers commit one after another:
/// the positions of `events`, `feed` and `audit_log` are handed out in commit order (a pull never passes a position
/// that a slower transaction commits later), a push of the same event through two instances stores it once, and the
/// Merkle log grows by one writer at a time, each signing the checkpoint it leaves. Pushes and pulls that arrive at one
/// instance together share a transaction (`GroupCommit`), so a busy instance takes the lock less often. Reads take no lock.
public final class PostgresSyncRepository: Sendable {
    let client: PostgresClient
    let logger: Logger
    let location: PostgresLocation
    public let signingKey: ServerSigningKey
    private let running: Task<Void, Never>
    /// Pushes and pulls that arrive together commit together (`GroupCommit`), each in its own savepoint.
    let writes: GroupCommit<GroupWork>

    /// One write of a group transaction: it appends to the audit log through the group's `LogGrowth`.
    typealias GroupWork = @Sendable (PostgresConnection, LogGrowth) async throws -> Void

    /// The advisory lock every writer holds until it commits; another number guards the migrations.
    static let writeLock: Int64 = 0x4163_636F_7264_0001
    static let migrationLock: Int64 = 0x4163_636F_7264_0002

    /// Connects to `url`, applies the migrations (safe when several instances start at once), and checks that
    /// `signingKeyPath` holds the key that signed the log so far.
    public init(url: String, signingKeyPath: String?, logger: Logger = Logger(label: "accord-server.postgres")) async throws {
        location = try PostgresLocation(url: url)
        guard let signingKeyPath else {
            throw ServerError("With a PostgreSQL database, give --signing-key PATH (or ACCORD_SERVER_SIGNING_KEY): every instance must sign the audit log with the same key file.")
        }
        self.logger = logger
        do {
            let probe = try await PostgresConnection.connect(configuration: try location.connectionConfiguration(), id: 0, logger: logger)
            try await probe.close()
        } catch {
            throw Self.explain(error, location: location)
        }
        let client = PostgresClient(configuration: location.configuration(), backgroundLogger: logger)
        self.client = client
        let running = Task { await client.run() }
        self.running = running
        // The pool warns when a lease comes before run() has begun; give the task a moment to start.
        try? await Task.sleep(for: .milliseconds(10))
        let signingKey: ServerSigningKey
        do {
            try await Self.migrate(client, at: location, logger: logger)
            let latest = try await Self.leased(from: client, at: location) { connection in try await PostgresAuditLog.latestCheckpoint(connection, logger) }
            signingKey = try ServerSigningKey.forLog(at: signingKeyPath, signedLog: latest)
        } catch {
            running.cancel()
            throw Self.explain(error, location: location)
        }
        self.signingKey = signingKey
        let location = location
        writes = GroupCommit { works in try await Self.commit(works, client: client, location: location, logger: logger, key: signingKey) }
    }

    /// Stops the connection pool; call once when done.
    public func close() async {
        running.cancel()
        await running.value
    }

    deinit { running.cancel() }

    // MARK: Transactions

    /// Runs `body` in a transaction holding the write lock; the lock is released when the transaction ends.
    func write<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await Self.write(client: client, location: location, logger: logger, body)
    }

    static func write<T: Sendable>(client: PostgresClient, location: PostgresLocation, logger: Logger,
                                   _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await translated(location: location, logger: logger) {
            try await Self.leased(from: client, at: location) { connection in
                try await Self.transaction(on: connection, logger: logger) { connection in
                    try await connection.query("SELECT pg_advisory_xact_lock(\(Self.writeLock))", logger: logger)
                    return try await body(connection)
                }
            }
        }
    }

    /// Runs `job` in the next group transaction and returns its result once that group has committed.
    func groupWrite<T: Sendable>(_ job: @escaping @Sendable (PostgresConnection, LogGrowth) async throws -> T) async throws -> T {
        let result = GroupResult<T>()
        try await writes.run { connection, growth in result.value = try await job(connection, growth) }
        return result.value!
    }

    /// One transaction for a group's writes, each in a savepoint of its own (a lone write needs none), and one
    /// checkpoint signed over what they appended to the audit log.
    private static func commit(_ works: [GroupWork], client: PostgresClient, location: PostgresLocation, logger: Logger,
                               key: ServerSigningKey) async throws -> [(any Error)?] {
        try await write(client: client, location: location, logger: logger) { connection in
            let growth = LogGrowth()
            var outcomes: [(any Error)?] = []
            if works.count == 1 {
                try await works[0](connection, growth)
                outcomes.append(nil)
            } else {
                for work in works {
                    let mark = growth.mark
                    try await connection.query("SAVEPOINT group_member", logger: logger)
                    do {
                        try await work(connection, growth)
                        try await connection.query("RELEASE SAVEPOINT group_member", logger: logger)
                        outcomes.append(nil)
                    } catch {
                        growth.restore(mark)
                        // A lost connection ends the whole transaction: then the group fails.
                        if connection.isClosed || isConnectionLoss(error) { throw error }
                        try await connection.query("ROLLBACK TO SAVEPOINT group_member", logger: logger)
                        try await connection.query("RELEASE SAVEPOINT group_member", logger: logger)
                        outcomes.append(explain(error, location: location))
                    }
                }
            }
            if let checkpoint = try growth.checkpoint(key: key) { try await PostgresAuditLog.insert(checkpoint, connection, logger) }
            return outcomes
        }
    }

    /// BEGIN, `body`, COMMIT; ROLLBACK on failure, unless the connection is already gone (a rollback sent on a
    /// connection the server closed is not answered, and the request would hang instead of being retried).
    static func transaction<T>(on connection: PostgresConnection, logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await connection.query("BEGIN", logger: logger)
        do {
            let result = try await body(connection)
            try await connection.query("COMMIT", logger: logger)
            return result
        } catch {
            if !connection.isClosed, !Self.isConnectionLoss(error) { _ = try? await connection.query("ROLLBACK", logger: logger) }
            throw error
        }
    }

    static func isConnectionLoss(_ error: any Error) -> Bool {
        guard let error = error as? PSQLError else { return false }
        if let state = error.serverInfo?[.sqlState] { return state.hasPrefix("08") || state.hasPrefix("57P") }
        return true
    }

    /// Runs `body` on a pooled connection, outside any lock.
    func read<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await translated { try await self.leased(body) }
    }

    /// How long a request waits for a connection before it is answered 503: while PostgreSQL is down the pool keeps
    /// trying to connect, and a site is better told to come back than left waiting.
    static let leaseTimeout: Duration = .seconds(5)

    /// Runs `body` on a pooled connection; gives up with `StorageUnavailable` when none comes within `leaseTimeout`
    /// (only the wait for a connection is timed, never work already under way).
    func leased<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await Self.leased(from: client, at: location, body)
    }

    static func leased<T: Sendable>(from client: PostgresClient, at location: PostgresLocation,
                                    _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let started = LeaseFlag()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await client.withConnection { connection in started.set(); return try await body(connection) } }
            group.addTask {
                try await Task.sleep(for: Self.leaseTimeout)
                if started.isSet { return nil }
                throw StorageUnavailable(reason: "no connection to PostgreSQL at \(location.redacted) within \(Self.leaseTimeout)")
            }
            while let result = try await group.next() {
                if let value = result {
                    group.cancelAll()
                    return value
                }
            }
            throw CancellationError()
        }
    }

    /// A lost or refused connection becomes `StorageUnavailable` (503 to a site, which retries); the pool
    /// reconnects by itself. The SQL and its values are never put into the message.
    private func translated<T>(_ body: () async throws -> T) async throws -> T {
        try await Self.translated(location: location, logger: logger, body)
    }

    private static func translated<T>(location: PostgresLocation, logger: Logger, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch {
            let explained = explain(error, location: location)
            if let unavailable = explained as? StorageUnavailable {
                logger.warning("database unavailable; the request is answered 503", metadata: ["reason": "\(unavailable.reason)"])
            }
            throw explained
        }
    }

    static func explain(_ error: any Error, location: PostgresLocation) -> any Error {
        if let failed = error as? PostgresTransactionError,
           let cause = failed.beginError ?? failed.closureError ?? failed.commitError ?? failed.rollbackError {
            return explain(cause, location: location)
        }
        guard let error = error as? PSQLError else { return error }
        if let state = error.serverInfo?[.sqlState] {
            // Connection and shutdown states (08, 57P), and transaction conflicts (40): try again.
            if state.hasPrefix("08") || state.hasPrefix("57P") || state.hasPrefix("40") || state == "53300" {
                return StorageUnavailable(reason: "PostgreSQL at \(location.redacted) is not available (SQLSTATE \(state))")
            }
            if state == "28P01" || state == "28000" {
                return ServerError("PostgreSQL at \(location.redacted) refused the user or password; check the URL and PGPASSWORD.")
            }
            if state == "3D000" {
                return ServerError("PostgreSQL at \(location.redacted) has no such database; create it (createdb) or fix the URL.")
            }
            return ServerError("PostgreSQL at \(location.redacted) refused a statement (SQLSTATE \(state): \(error.serverInfo?[.message] ?? "no message")).")
        }
        return StorageUnavailable(reason: "PostgreSQL at \(location.redacted) could not be reached (\(error.code))")
    }

    // MARK: Start-up

    private static func migrate(_ client: PostgresClient, at location: PostgresLocation, logger: Logger) async throws {
        let migrations = try SchemaResources.serverPostgresMigrations()
        try await leased(from: client, at: location) { connection in try await Self.transaction(on: connection, logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
            try await connection.query("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)", logger: logger)
            var applied = Set<String>()
            for try await name in try await connection.query("SELECT name FROM schema_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            if let unknown = applied.subtracting(migrations.map(\.name)).sorted().first {
                throw ServerError("The database was written by a newer accord-server (migration \(unknown)); update the server.")
            }
            for migration in migrations where !applied.contains(migration.name) {
                for statement in SQLStatements.split(try migration.sql()) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                let at = AuditEntry.stamp(ServerClock.nowMilliseconds())
                try await connection.query("INSERT INTO schema_migrations (name, applied_at) VALUES (\(migration.name), \(at))", logger: logger)
            }
        } }
    }
}

/// Set once a request holds a connection.
final class LeaseFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// The shared database cannot be reached right now; the request may be tried again.
public struct StorageUnavailable: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { "\(reason); try again in a moment." }
}

/// Splits a migration file into statements: each ends with ';' at the end of a line, outside a $$ body.
enum SQLStatements {
    static func split(_ sql: String) -> [String] {
        var statements: [String] = [], current: [Substring] = [], inBody = false
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("--") && current.isEmpty { continue }
            current.append(line)
            if line.components(separatedBy: "$$").count % 2 == 0 { inBody.toggle() }
            if !inBody && trimmed.hasSuffix(";") {
                statements.append(current.joined(separator: "\n"))
                current = []
            }
        }
        let rest = current.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { statements.append(rest) }
        return statements
    }
}
