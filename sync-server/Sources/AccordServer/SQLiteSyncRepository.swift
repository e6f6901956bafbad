import AccordCore
import AccordLog
import AccordSchema
import AccordSync
import Foundation
import GRDB

/// The embedded default: one SQLite file (WAL, synchronous FULL). A push is acknowledged only once all of it that
/// was accepted, and its audit log entries, are durable; pushes and pulls that arrive together commit together
/// (`GroupCommit`), each in its own savepoint.
public final class SQLiteSyncRepository: SyncRepository, SiteAdministration {
    /// One write of a group transaction: it appends to the audit log through the group's `LogGrowth`.
    typealias GroupWork = @Sendable (Database, LogGrowth) throws -> Void

    let pool: DatabasePool
    let writes: GroupCommit<GroupWork>
    /// Copies the WAL back into the database from a connection of its own (`BackgroundCheckpoints`).
    private let checkpointer: Task<Void, Never>
    /// Signs the audit log's checkpoints; kept in its own file (`ServerSigningKey`).
    public let signingKey: ServerSigningKey

    /// Opens (or creates) the database at `path`, and the signing key at `signingKeyPath` (default beside it).
    public init(path: String, signingKeyPath: String? = nil) throws {
        let pool: DatabasePool
        do {
            pool = try Self.open(path: path)
        } catch let error as ServerError {
            throw error
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT:
                throw ServerError("\(path) is not an accord-server database, or it is damaged; check the path, or restore it from a backup.")
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                throw ServerError("The server database \(path) is locked by another program; try again in a moment.")
            case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM:
                throw ServerError("The server database \(path) cannot be opened for writing; check the path and its permissions.")
            default:
                throw ServerError("The server database \(path) could not be used (SQLite code \(error.resultCode.rawValue)).")
            }
        } catch {
            throw ServerError("Cannot create the server database at \(path); check that its folder can be created and written.")
        }
        self.pool = pool
        let signingKey = try ServerSigningKey.forLog(at: signingKeyPath ?? ServerSigningKey.defaultPath(forDatabase: path),
                                                     signedLog: try pool.read { try SQLiteAuditLog.latestCheckpoint($0) })
        self.signingKey = signingKey
        writes = GroupCommit { works in try await Self.commit(works, pool, signingKey) }
        // A checkpoint of 20,000 pages left to the writer held one group of pushes for 150 ms (50 sites pushing at
        // once in accord-sync-bench).
        checkpointer = try BackgroundCheckpoints.start(path: path)
    }

    deinit { checkpointer.cancel() }

    /// Stops the background checkpoints; the pool closes with the repository.
    public func close() async {
        checkpointer.cancel()
        await checkpointer.value
    }

    /// Runs `job` in the next group transaction and returns its result once that group has committed.
    func groupWrite<T: Sendable>(_ job: @escaping @Sendable (Database, LogGrowth) throws -> T) async throws -> T {
        let result = GroupResult<T>()
        try await writes.run { db, growth in result.value = try job(db, growth) }
        return result.value!
    }

    /// One transaction for a group's writes, each in a savepoint of its own (a lone write needs none), and one
    /// checkpoint signed over what they appended to the audit log.
    private static func commit(_ works: [GroupWork], _ pool: DatabasePool, _ key: ServerSigningKey) async throws -> [(any Error)?] {
        try await pool.write { db in
            let growth = LogGrowth()
            var outcomes: [(any Error)?] = []
            if works.count == 1 {
                try works[0](db, growth)
                outcomes.append(nil)
            } else {
                for work in works {
                    let mark = growth.mark
                    do {
                        try db.inSavepoint {
                            try work(db, growth)
                            return .commit
                        }
                        outcomes.append(nil)
                    } catch {
                        growth.restore(mark)
                        // SQLite ends the whole transaction on some errors (a full disk, an I/O error): then the group fails.
                        guard db.isInsideTransaction else { throw error }
                        outcomes.append(error)
                    }
                }
            }
            if let checkpoint = try growth.checkpoint(key: key) { try SQLiteAuditLog.insert(checkpoint, db) }
            return outcomes
        }
    }

    private static func open(path: String) throws -> DatabasePool {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in SchemaFunctions.register(in: db) }
        let existed = FileManager.default.fileExists(atPath: path)
        let pool = try DatabasePool(path: path, configuration: configuration)
        if !existed { chmod(path, 0o600) }
        // A push of 1,000 events dirties more pages than SQLite's default checkpoint threshold (1,000 pages), so each
        // commit also copied the WAL back into the database and synced it: the WAL may grow to 20,000 pages (80 MB)
        // before a checkpoint, which also writes an index page changed by many pushes once. Commit time per 1,000-event
        // push: 60 ms before, 24 ms after (accord-sync-bench).
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 20000")
        }
        var migrator = DatabaseMigrator()
        for file in try SchemaResources.serverSQLiteMigrations() {
            migrator.registerMigration(file.name) { db in try db.execute(sql: file.sql()) }
        }
        if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
            throw ServerError("The database \(path) was written by a newer accord-server; update the server.")
        }
        try migrator.migrate(pool)
        return pool
    }

}
