import AccordCore
import AccordLog
import AccordSchema
import AccordSync
import Foundation
import GRDB

/// The embedded default: one SQLite file (WAL, synchronous FULL). Every push is one transaction, so a batch is
/// acknowledged only once all of it that was accepted, and its audit log entries, are durable.
public final class SQLiteSyncRepository: SyncRepository, SiteAdministration {
    let pool: DatabasePool
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
        signingKey = try ServerSigningKey.forLog(at: signingKeyPath ?? ServerSigningKey.defaultPath(forDatabase: path),
                                               signedLog: try pool.read { try SQLiteAuditLog.latestCheckpoint($0) })
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
            migrator.registerMigration(file.name) { db in try db.execute(sql: file.sql) }
        }
        if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
            throw ServerError("The database \(path) was written by a newer accord-server; update the server.")
        }
        try migrator.migrate(pool)
        return pool
    }

}
