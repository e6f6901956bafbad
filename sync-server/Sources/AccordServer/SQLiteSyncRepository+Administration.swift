import AccordCore
import AccordLog
import AccordSync
import Foundation
import GRDB

extension SQLiteSyncRepository {
    /// Runs an administrative change and its audit entry in one transaction, with a signed checkpoint.
    func administer<T: Sendable>(now: Int64, _ change: @escaping @Sendable (Database) throws -> (T, AuditEntry)) async throws -> T {
        try await pool.write { db in
            let (result, entry) = try change(db)
            try SQLiteAuditLog.record([entry], db, key: self.signingKey, now: now)
            return result
        }
    }

    // MARK: Sites

    public func addSite(_ name: String, now: Int64) async throws -> String {
        try AdministrationRules.checkSiteName(name)
        let credential = Credentials.make()
        return try await administer(now: now) { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM sites WHERE name = ?", arguments: [name]) == true { throw AdministrationRules.siteExists(name) }
            try db.execute(sql: "INSERT INTO sites (name, credential_sha256, created_at) VALUES (?, ?, ?)",
                           arguments: [name, Credentials.sha256(credential), AuditEntry.stamp(now)])
            return (credential, .administration(.siteEnrolled, now: now, site: name, detail: "credential sha256 \(Credentials.sha256(credential))"))
        }
    }

    public func revokeSite(_ name: String, now: Int64) async throws {
        try await administer(now: now) { db in
            try db.execute(sql: "UPDATE sites SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [AuditEntry.stamp(now), name])
            guard db.changesCount == 1 else { throw AdministrationRules.noSuchSite(name) }
            return ((), .administration(.siteRevoked, now: now, site: name))
        }
    }

    public func sites() async throws -> [SiteInfo] {
        try await pool.read { db in
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

    // MARK: Clinicians' keys

    static func keyInfo(_ row: Row) -> KeyInfo {
        KeyInfo(fingerprint: row["fingerprint"], site: row["site"], clinicianId: row["clinician_id"], clinicianName: row["clinician_name"],
                status: KeyInfo.Status(rawValue: row["status"]) ?? .pending, registeredAt: row["registered_at"], decidedAt: row["decided_at"])
    }

    static func key(_ fingerprint: String, _ db: Database) throws -> KeyInfo? {
        try Row.fetchOne(db, sql: "SELECT * FROM clinician_keys WHERE fingerprint = ?", arguments: [fingerprint]).map(keyInfo)
    }

    public func registerKey(_ registration: KeyRegistration, site: String, now: Int64, remoteAddress: String?) async throws -> KeyInfo {
        let (raw, fingerprint) = try AdministrationRules.checkRegistration(registration)
        return try await pool.write { db in
            if let existing = try Self.key(fingerprint, db) {
                try AdministrationRules.checkReregistration(existing, registration, site: site)
                return existing
            }
            let sameClinician = try Row.fetchAll(db, sql: "SELECT * FROM clinician_keys WHERE clinician_id = ?",
                                                 arguments: [registration.clinicianId]).map(Self.keyInfo)
            try AdministrationRules.checkClinicianSite(registration, site: site, registeredKeys: sameClinician)
            try db.execute(sql: """
                INSERT INTO clinician_keys (fingerprint, public_key, site, clinician_id, clinician_name, status, registered_at)
                VALUES (?, ?, ?, ?, ?, 'pending', ?)
                """, arguments: [fingerprint, raw, site, registration.clinicianId, registration.clinicianName, AuditEntry.stamp(now)])
            try SQLiteAuditLog.record([.keyRegistered(fingerprint, site: site, clinician: registration.clinicianName, clinicianID: registration.clinicianId, now: now, remoteAddress: remoteAddress)],
                                      db, key: self.signingKey, now: now)
            return try Self.key(fingerprint, db)!
        }
    }

    public func keys() async throws -> [KeyInfo] {
        try await pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM clinician_keys ORDER BY site, clinician_name, registered_at").map(Self.keyInfo) }
    }

    public func approveKey(_ fingerprint: String, now: Int64) async throws -> KeyInfo {
        try await decideKey(fingerprint, status: .approved, kind: .keyApproved, now: now)
    }

    public func revokeKey(_ fingerprint: String, now: Int64) async throws -> KeyInfo {
        try await decideKey(fingerprint, status: .revoked, kind: .keyRevoked, now: now)
    }

    public func rejectKey(_ reference: String, now: Int64) async throws -> KeyInfo {
        try await administer(now: now) { db in
            let prefix = reference.lowercased()
            let matches = try Row.fetchAll(db, sql: "SELECT * FROM clinician_keys WHERE fingerprint >= ? AND fingerprint < ? LIMIT 2",
                                           arguments: [prefix, prefix + "~"]).map(Self.keyInfo)
            let key = try AdministrationRules.rejectableKey(prefix, matches: matches)
            try db.execute(sql: "DELETE FROM clinician_keys WHERE fingerprint = ? AND status = 'pending'", arguments: [key.fingerprint])
            return (key, .administration(.keyRejected, now: now, site: key.site, key: key.fingerprint,
                                         detail: "\(key.clinicianName) (clinician \(key.clinicianId)): pending registration withdrawn"))
        }
    }

    private func decideKey(_ reference: String, status: KeyInfo.Status, kind: AuditEntry.Kind, now: Int64) async throws -> KeyInfo {
        try await administer(now: now) { db in
            let prefix = reference.lowercased()
            let matches = try Row.fetchAll(db, sql: "SELECT * FROM clinician_keys WHERE fingerprint >= ? AND fingerprint < ? LIMIT 2",
                                           arguments: [prefix, prefix + "~"]).map(Self.keyInfo)
            let key = try AdministrationRules.decidableKey(prefix, matches: matches, to: status)
            try db.execute(sql: "UPDATE clinician_keys SET status = ?, decided_at = ? WHERE fingerprint = ?",
                           arguments: [status.rawValue, AuditEntry.stamp(now), key.fingerprint])
            return (try Self.key(key.fingerprint, db)!, .administration(kind, now: now, site: key.site, key: key.fingerprint, detail: key.clinicianName))
        }
    }

    // MARK: Witnesses

    public func addWitness(_ key: WitnessKey, url: String, now: Int64) async throws {
        try await administer(now: now) { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM witnesses WHERE name = ?", arguments: [key.name]) == true {
                throw ServerError("A witness named \(key.name) is already added.")
            }
            try db.execute(sql: "INSERT INTO witnesses (name, vkey, url, added_at) VALUES (?, ?, ?, ?)",
                           arguments: [key.name, key.encoded, url, AuditEntry.stamp(now)])
            return ((), .administration(.witnessAdded, now: now, detail: "\(key.encoded) at \(url)"))
        }
    }

    public func witnesses() async throws -> [WitnessInfo] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, vkey, url, cosigned_size FROM witnesses ORDER BY name").map {
                WitnessInfo(name: $0["name"], key: $0["vkey"], url: $0["url"], cosignedSize: $0["cosigned_size"])
            }
        }
    }

    public func recordCosignature(witness: String, size: Int, line: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "INSERT INTO cosignatures (witness, size, line) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", arguments: [witness, size, line])
            try db.execute(sql: "UPDATE witnesses SET cosigned_size = max(cosigned_size, ?) WHERE name = ?", arguments: [size, witness])
        }
    }

    public func setWitnessSize(_ witness: String, size: Int) async throws {
        try await pool.write { db in try db.execute(sql: "UPDATE witnesses SET cosigned_size = ? WHERE name = ?", arguments: [size, witness]) }
    }

    public func latestCosignedSize() async throws -> Int? {
        try await pool.read { db in try Int.fetchOne(db, sql: "SELECT max(size) FROM cosignatures") }
    }

    public func checkpoint(size: Int) async throws -> Checkpoint? {
        try await pool.read { db in try Row.fetchOne(db, sql: "SELECT * FROM checkpoints WHERE size = ?", arguments: [size]).map(SQLiteAuditLog.checkpoint) }
    }

    public func cosignatures(size: Int) async throws -> [String] {
        try await pool.read { db in try String.fetchAll(db, sql: "SELECT line FROM cosignatures WHERE size = ? ORDER BY witness", arguments: [size]) }
    }

    // MARK: Auditors

    public func addAuditor(_ name: String, now: Int64) async throws -> String {
        try AdministrationRules.checkAuditorName(name)
        let credential = Credentials.make(prefix: "aca_")
        return try await administer(now: now) { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM auditors WHERE name = ?", arguments: [name]) == true { throw AdministrationRules.auditorExists(name) }
            try db.execute(sql: "INSERT INTO auditors (name, credential_sha256, created_at) VALUES (?, ?, ?)",
                           arguments: [name, Credentials.sha256(credential), AuditEntry.stamp(now)])
            return (credential, .administration(.auditorAdded, now: now, detail: "\(name); credential sha256 \(Credentials.sha256(credential))"))
        }
    }

    public func revokeAuditor(_ name: String, now: Int64) async throws {
        try await administer(now: now) { db in
            try db.execute(sql: "UPDATE auditors SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [AuditEntry.stamp(now), name])
            guard db.changesCount == 1 else { throw AdministrationRules.noSuchAuditor(name) }
            return ((), .administration(.auditorRevoked, now: now, detail: name))
        }
    }

    public func auditor(credentialSHA256: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT name FROM auditors WHERE credential_sha256 = ? AND revoked_at IS NULL", arguments: [credentialSHA256])
        }
    }
}
