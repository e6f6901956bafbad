import AccordCore
import AccordSchema
import AccordSync
import Foundation
import GRDB

/// The embedded default: one SQLite file (WAL, synchronous FULL). Every push is one transaction, so a batch is
/// acknowledged only once all of it that was accepted is durable.
public final class SQLiteSyncRepository: SyncRepository, SiteAdministration {
    let pool: DatabasePool

    public init(path: String) throws {
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
    }

    private static func open(path: String) throws -> DatabasePool {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        let existed = FileManager.default.fileExists(atPath: path)
        let pool = try DatabasePool(path: path, configuration: configuration)
        if !existed { chmod(path, 0o600) }
        try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA cache_size = -32768") }
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

    // MARK: Sites

    public func addSite(_ name: String, now: Int64) throws -> String {
        guard Identifiers.isValidSiteName(name) else { throw ServerError("Site name '\(name)' is not valid: \(Identifiers.siteNameRule).") }
        let credential = Credentials.make()
        try pool.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM sites WHERE name = ?", arguments: [name]) == true {
                throw ServerError("Site '\(name)' is already enrolled; revoke it first to issue a new credential under another name.")
            }
            try db.execute(sql: "INSERT INTO sites (name, credential_sha256, created_at) VALUES (?, ?, ?)",
                           arguments: [name, Credentials.sha256(credential), Timestamp.iso8601(epochMilliseconds: now)])
        }
        return credential
    }

    public func revokeSite(_ name: String, now: Int64) throws {
        try pool.write { db in
            try db.execute(sql: "UPDATE sites SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
                           arguments: [Timestamp.iso8601(epochMilliseconds: now), name])
            guard db.changesCount == 1 else { throw ServerError("No enrolled, unrevoked site is named '\(name)'; `accord-server site list` shows them.") }
        }
    }

    public func sites() throws -> [SiteInfo] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, created_at, revoked_at FROM sites ORDER BY name").map {
                SiteInfo(site: $0["name"], createdAt: $0["created_at"], revokedAt: $0["revoked_at"])
            }
        }
    }

    public func site(credentialSHA256: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT name FROM sites WHERE credential_sha256 = ? AND revoked_at IS NULL", arguments: [credentialSHA256])
        }
    }

    // MARK: Sync

    public func push(_ checked: [PushCheck.Outcome], from site: String, now: Int64) async throws -> PushResponse {
        try await pool.write { db in
            var response = PushResponse(accepted: [], rejected: [])
            let receivedAt = Timestamp.iso8601(epochMilliseconds: now)
            for (index, outcome) in checked.enumerated() {
                switch outcome {
                case .refused(let rejection):
                    response.rejected.append(rejection)
                case .valid(let event):
                    if let seq = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM events WHERE id = ?"), arguments: [event.id.hex]) {
                        response.accepted.append(Acknowledgement(id: event.id.hex, seq: seq, duplicate: true))
                        continue
                    }
                    if let refusal = try Self.careTeamRefusal(event, site: site, line: index + 1, db) {
                        response.rejected.append(refusal)
                        continue
                    }
                    let envelope = event.envelope
                    try db.cachedStatement(sql: """
                        INSERT INTO events (id, patient, site, type, hlc_wall, hlc_logical, body, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """).execute(arguments: [event.id.hex, envelope.patient, envelope.site, envelope.type.rawValue, envelope.hlc.wall,
                                         Int64(envelope.hlc.logical), event.bytes, receivedAt])
                    let seq = db.lastInsertedRowID
                    try Self.extendCareTeam(event, db)
                    try db.cachedStatement(sql: """
                        INSERT INTO feed (site, event_seq) SELECT site, ? FROM care_team WHERE patient = ? AND site <> ?
                        ON CONFLICT DO NOTHING
                        """).execute(arguments: [seq, envelope.patient, site])
                    response.accepted.append(Acknowledgement(id: event.id.hex, seq: seq, duplicate: false))
                }
            }
            return response
        }
    }

    /// Why `site` may not write this patient's record; the first site to send a patient starts its care team.
    static func careTeamRefusal(_ event: Event, site: String, line: Int, _ db: Database) throws -> Rejection? {
        let patient = event.envelope.patient
        let team = try String.fetchAll(db.cachedStatement(sql: "SELECT site FROM care_team WHERE patient = ?"), arguments: [patient])
        if team.isEmpty {
            try db.execute(sql: "INSERT INTO care_team (patient, site, since_event) VALUES (?, ?, ?)", arguments: [patient, site, event.id.hex])
            return nil
        }
        guard team.contains(site) else {
            return Rejection(id: event.id.hex, line: line, code: "not-in-care-team",
                             reason: "site '\(site)' is not in this patient's care team; a site that holds the record must share it first")
        }
        if case .patientShared(let share) = event.envelope.payload,
           try Bool.fetchOne(db, sql: "SELECT 1 FROM sites WHERE name = ? AND revoked_at IS NULL", arguments: [share.site]) != true {
            return Rejection(id: event.id.hex, line: line, code: "unknown-site",
                             reason: "no enrolled site is named '\(share.site)'; check the name with the server's administrator")
        }
        return nil
    }

    /// A share adds the site to the care team and gives it every earlier event of the patient.
    static func extendCareTeam(_ event: Event, _ db: Database) throws {
        guard case .patientShared(let share) = event.envelope.payload else { return }
        let patient = event.envelope.patient
        try db.execute(sql: "INSERT INTO care_team (patient, site, since_event) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                       arguments: [patient, share.site, event.id.hex])
        try db.execute(sql: """
            INSERT INTO feed (site, event_seq) SELECT ?, seq FROM events WHERE patient = ? ORDER BY seq ON CONFLICT DO NOTHING
            """, arguments: [share.site, patient])
    }

    public func pull(site: String, after cursor: Int64, limit: Int) async throws -> PullPage {
        try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT f.seq, e.body FROM feed f JOIN events e ON e.seq = f.event_seq
                WHERE f.site = ? AND f.seq > ? ORDER BY f.seq LIMIT ?
                """, arguments: [site, cursor, limit + 1])
            let page = rows.prefix(limit)
            return PullPage(bodies: page.map { $0["body"] as Data }, cursor: page.last?["seq"] ?? cursor, more: rows.count > limit)
        }
    }

    // MARK: Patient reads

    public func patientEvents(_ patient: String, site: String) async throws -> [Data]? {
        try await pool.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM care_team WHERE patient = ? AND site = ?", arguments: [patient, site]) == true else {
                return nil
            }
            return try Data.fetchAll(db, sql: "SELECT body FROM events WHERE patient = ? ORDER BY seq", arguments: [patient])
        }
    }

    public func recordAccess(_ entry: AccessEntry) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO access_log (at, site, patient, action, outcome, remote_address) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [entry.at, entry.site, entry.patient, entry.action, entry.outcome, entry.remoteAddress])
        }
    }

    public func accessLog(patient: String) async throws -> [AccessEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM access_log WHERE patient = ? ORDER BY seq", arguments: [patient]).map { row in
                AccessEntry(at: row["at"], site: row["site"], patient: row["patient"], action: row["action"],
                            outcome: row["outcome"], remoteAddress: row["remote_address"])
            }
        }
    }
}
