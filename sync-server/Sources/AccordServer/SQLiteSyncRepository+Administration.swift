import AccordCore
import AccordLog
import AccordSync
import Crypto
import Foundation
import GRDB

extension SQLiteSyncRepository {
    static func stamp(_ now: Int64) -> String { Timestamp.iso8601(epochMilliseconds: now) }

    /// Runs an administrative change and its audit entry in one transaction, then signs a checkpoint.
    func administer<T>(now: Int64, _ change: (Database) throws -> (T, AuditEntry)) throws -> T {
        try pool.write { db in
            let (result, entry) = try change(db)
            try SQLiteAuditLog.append(entry, db)
            try SQLiteAuditLog.checkpoint(db, key: self.signingKey, now: now)
            return result
        }
    }

    // MARK: Sites

    public func addSite(_ name: String, now: Int64) throws -> String {
        guard Identifiers.isValidSiteName(name) else { throw ServerError("Site name '\(name)' is not valid: \(Identifiers.siteNameRule).") }
        let credential = Credentials.make()
        return try administer(now: now) { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM sites WHERE name = ?", arguments: [name]) == true {
                throw ServerError("Site '\(name)' is already enrolled; revoke it first to issue a new credential under another name.")
            }
            try db.execute(sql: "INSERT INTO sites (name, credential_sha256, created_at) VALUES (?, ?, ?)",
                           arguments: [name, Credentials.sha256(credential), Self.stamp(now)])
            return (credential, AuditEntry(position: 0, kind: .siteEnrolled, at: Self.stamp(now), site: name, actor: "admin", outcome: "ok"))
        }
    }

    public func revokeSite(_ name: String, now: Int64) throws {
        try administer(now: now) { db in
            try db.execute(sql: "UPDATE sites SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [Self.stamp(now), name])
            guard db.changesCount == 1 else { throw ServerError("No enrolled, unrevoked site is named '\(name)'; `accord-server site list` shows them.") }
            return ((), AuditEntry(position: 0, kind: .siteRevoked, at: Self.stamp(now), site: name, actor: "admin", outcome: "ok"))
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

    // MARK: Clinicians' keys

    static func keyInfo(_ row: Row) -> KeyInfo {
        KeyInfo(fingerprint: row["fingerprint"], site: row["site"], clinicianId: row["clinician_id"], clinicianName: row["clinician_name"],
                status: KeyInfo.Status(rawValue: row["status"]) ?? .pending, registeredAt: row["registered_at"], decidedAt: row["decided_at"])
    }

    static func key(_ fingerprint: String, _ db: Database) throws -> KeyInfo? {
        try Row.fetchOne(db, sql: "SELECT * FROM clinician_keys WHERE fingerprint = ?", arguments: [fingerprint]).map(keyInfo)
    }

    public func registerKey(_ registration: KeyRegistration, site: String, now: Int64, remoteAddress: String?) async throws -> KeyInfo {
        guard let raw = Data(base64Encoded: registration.publicKey), raw.count == 32,
              (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else {
            throw ServerError("publicKey must be a raw Ed25519 public key (32 bytes), base64.")
        }
        guard Identifiers.isValid(registration.clinicianId) else { throw ServerError("clinicianId must be a lowercase UUID.") }
        guard !registration.clinicianName.isEmpty, registration.clinicianName.count <= 200 else { throw ServerError("clinicianName must be 1 to 200 characters.") }
        let fingerprint = Signing.fingerprint(ofPublicKey: raw)
        return try await pool.write { db in
            if let existing = try Self.key(fingerprint, db) {
                guard existing.site == site, existing.clinicianId == registration.clinicianId else {
                    throw ServerError("This key is already registered for another site or clinician; each clinician's key is registered once.")
                }
                return existing
            }
            try db.execute(sql: """
                INSERT INTO clinician_keys (fingerprint, public_key, site, clinician_id, clinician_name, status, registered_at)
                VALUES (?, ?, ?, ?, ?, 'pending', ?)
                """, arguments: [fingerprint, raw, site, registration.clinicianId, registration.clinicianName, Self.stamp(now)])
            try SQLiteAuditLog.append(AuditEntry(position: 0, kind: .keyRegistered, at: Self.stamp(now), site: site, key: fingerprint,
                                                 actor: registration.clinicianName, remoteAddress: remoteAddress, outcome: "pending"), db)
            try SQLiteAuditLog.checkpoint(db, key: self.signingKey, now: now)
            return try Self.key(fingerprint, db)!
        }
    }

    public func keys() throws -> [KeyInfo] {
        try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM clinician_keys ORDER BY site, clinician_name, registered_at").map(Self.keyInfo) }
    }

    public func approveKey(_ fingerprint: String, now: Int64) throws -> KeyInfo {
        try decideKey(fingerprint, status: .approved, kind: .keyApproved, now: now)
    }

    public func revokeKey(_ fingerprint: String, now: Int64) throws -> KeyInfo {
        try decideKey(fingerprint, status: .revoked, kind: .keyRevoked, now: now)
    }

    private func decideKey(_ reference: String, status: KeyInfo.Status, kind: AuditEntry.Kind, now: Int64) throws -> KeyInfo {
        try administer(now: now) { db in
            let prefix = reference.lowercased()
            let matches = try Row.fetchAll(db, sql: "SELECT * FROM clinician_keys WHERE fingerprint >= ? AND fingerprint < ? LIMIT 2",
                                           arguments: [prefix, prefix + "~"]).map(Self.keyInfo)
            guard prefix.count >= 8, matches.count == 1, let key = matches.first else {
                throw ServerError(matches.count > 1 ? "'\(reference)' matches more than one key; give more of the fingerprint."
                                                    : "No key has the fingerprint '\(reference)' (8 or more hex digits); `accord-server key list` shows them.")
            }
            guard key.status != .revoked else { throw ServerError("Key \(key.fingerprint.prefix(16)) is revoked; a revoked key is never approved again. The clinician makes a new one.") }
            guard key.status != status else { throw ServerError("Key \(key.fingerprint.prefix(16)) is already \(status.rawValue).") }
            try db.execute(sql: "UPDATE clinician_keys SET status = ?, decided_at = ? WHERE fingerprint = ?",
                           arguments: [status.rawValue, Self.stamp(now), key.fingerprint])
            let entry = AuditEntry(position: 0, kind: kind, at: Self.stamp(now), site: key.site, key: key.fingerprint, actor: "admin",
                                   outcome: "ok", detail: key.clinicianName)
            return (try Self.key(key.fingerprint, db)!, entry)
        }
    }

    // MARK: Auditors

    public func addAuditor(_ name: String, now: Int64) throws -> String {
        guard Identifiers.isValidSiteName(name) else { throw ServerError("Auditor name '\(name)' is not valid: \(Identifiers.siteNameRule).") }
        let credential = Credentials.make(prefix: "aca_")
        return try administer(now: now) { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM auditors WHERE name = ?", arguments: [name]) == true {
                throw ServerError("Auditor '\(name)' already exists; revoke it first, or choose another name.")
            }
            try db.execute(sql: "INSERT INTO auditors (name, credential_sha256, created_at) VALUES (?, ?, ?)",
                           arguments: [name, Credentials.sha256(credential), Self.stamp(now)])
            return (credential, AuditEntry(position: 0, kind: .auditorAdded, at: Self.stamp(now), actor: "admin", outcome: "ok", detail: name))
        }
    }

    public func revokeAuditor(_ name: String, now: Int64) throws {
        try administer(now: now) { db in
            try db.execute(sql: "UPDATE auditors SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", arguments: [Self.stamp(now), name])
            guard db.changesCount == 1 else { throw ServerError("No auditor named '\(name)' is active.") }
            return ((), AuditEntry(position: 0, kind: .auditorRevoked, at: Self.stamp(now), actor: "admin", outcome: "ok", detail: name))
        }
    }

    public func auditor(credentialSHA256: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT name FROM auditors WHERE credential_sha256 = ? AND revoked_at IS NULL", arguments: [credentialSHA256])
        }
    }
}
