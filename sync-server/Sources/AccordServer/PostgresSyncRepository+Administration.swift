import AccordCore
import AccordLog
import AccordSync
import Foundation
import PostgresNIO

extension PostgresSyncRepository {
    /// Runs an administrative change and its audit entry in one locked transaction, with a signed checkpoint.
    func administer<T: Sendable>(now: Int64, _ change: @escaping @Sendable (PostgresConnection) async throws -> (T, AuditEntry)) async throws -> T {
        let logger = self.logger, key = signingKey
        return try await write { connection in
            let (result, entry) = try await change(connection)
            try await PostgresAuditLog.record([entry], connection, logger, key: key, now: now)
            return result
        }
    }

    /// True when `query` returns a row.
    static func exists(_ query: PostgresQuery, _ connection: PostgresConnection, _ logger: Logger) async throws -> Bool {
        for try await _ in try await connection.query(query, logger: logger) { return true }
        return false
    }

    // MARK: Sites

    public func addSite(_ name: String, now: Int64) async throws -> String {
        try AdministrationRules.checkSiteName(name)
        let credential = Credentials.make(), logger = self.logger
        return try await administer(now: now) { connection in
            if try await Self.exists("SELECT 1 FROM sites WHERE name = \(name)", connection, logger) { throw AdministrationRules.siteExists(name) }
            try await connection.query("INSERT INTO sites (name, credential_sha256, created_at) VALUES (\(name), \(Credentials.sha256(credential)), \(AuditEntry.stamp(now)))", logger: logger)
            return (credential, .administration(.siteEnrolled, now: now, site: name, detail: "credential sha256 \(Credentials.sha256(credential))"))
        }
    }

    public func revokeSite(_ name: String, now: Int64) async throws {
        let logger = self.logger
        try await administer(now: now) { connection in
            guard try await Self.exists("UPDATE sites SET revoked_at = \(AuditEntry.stamp(now)) WHERE name = \(name) AND revoked_at IS NULL RETURNING name", connection, logger) else {
                throw AdministrationRules.noSuchSite(name)
            }
            return ((), .administration(.siteRevoked, now: now, site: name))
        }
    }

    public func sites() async throws -> [SiteInfo] {
        let logger = self.logger
        return try await read { connection in
            var sites: [SiteInfo] = []
            for try await (name, created, revoked) in try await connection.query("SELECT name, created_at, revoked_at FROM sites ORDER BY name", logger: logger).decode((String, String, String?).self) {
                sites.append(SiteInfo(site: name, createdAt: created, revokedAt: revoked))
            }
            return sites
        }
    }

    public func site(credentialSHA256: String) async throws -> String? {
        try await name(in: "sites", credentialSHA256: credentialSHA256)
    }

    public func auditor(credentialSHA256: String) async throws -> String? {
        try await name(in: "auditors", credentialSHA256: credentialSHA256)
    }

    private func name(in table: String, credentialSHA256: String) async throws -> String? {
        let logger = self.logger
        return try await read { connection in
            let query = PostgresQuery(unsafeSQL: "SELECT name FROM \(table) WHERE credential_sha256 = $1 AND revoked_at IS NULL", binds: try Self.binds(credentialSHA256))
            for try await name in try await connection.query(query, logger: logger).decode(String.self) { return name }
            return nil
        }
    }

    static func binds(_ values: String...) throws -> PostgresBindings {
        var binds = PostgresBindings(capacity: values.count)
        for value in values { binds.append(value) }
        return binds
    }

    // MARK: Clinicians' keys

    /// Keys matching `condition` (SQL over clinician_keys with $1 bound to `value`).
    static func keys(where condition: String, _ value: some PostgresDynamicTypeEncodable, _ connection: PostgresConnection, _ logger: Logger,
                     order: String = "site, clinician_name, registered_at") async throws -> [KeyInfo] {
        var binds = PostgresBindings(capacity: 1)
        binds.append(value)
        let query = PostgresQuery(unsafeSQL: """
            SELECT fingerprint, site, clinician_id, clinician_name, status, registered_at, decided_at FROM clinician_keys WHERE \(condition) ORDER BY \(order)
            """, binds: binds)
        var keys: [KeyInfo] = []
        for try await (fingerprint, site, clinician, name, status, registered, decided) in try await connection.query(query, logger: logger)
            .decode((String, String, String, String, String, String, String?).self) {
            keys.append(KeyInfo(fingerprint: fingerprint, site: site, clinicianId: clinician, clinicianName: name,
                                status: KeyInfo.Status(rawValue: status) ?? .pending, registeredAt: registered, decidedAt: decided))
        }
        return keys
    }

    public func registerKey(_ registration: KeyRegistration, site: String, now: Int64, remoteAddress: String?) async throws -> KeyInfo {
        let (raw, fingerprint) = try AdministrationRules.checkRegistration(registration)
        let logger = self.logger, key = signingKey
        return try await write { connection in
            if let existing = try await Self.keys(where: "fingerprint = $1", fingerprint, connection, logger).first {
                try AdministrationRules.checkReregistration(existing, registration, site: site)
                return existing
            }
            let sameClinician = try await Self.keys(where: "clinician_id = $1", registration.clinicianId, connection, logger)
            try AdministrationRules.checkClinicianSite(registration, site: site, registeredKeys: sameClinician)
            try await connection.query("""
                INSERT INTO clinician_keys (fingerprint, public_key, site, clinician_id, clinician_name, status, registered_at)
                VALUES (\(fingerprint), \(raw), \(site), \(registration.clinicianId), \(registration.clinicianName), 'pending', \(AuditEntry.stamp(now)))
                """, logger: logger)
            try await PostgresAuditLog.record([.keyRegistered(fingerprint, site: site, clinician: registration.clinicianName, clinicianID: registration.clinicianId, now: now, remoteAddress: remoteAddress)],
                                              connection, logger, key: key, now: now)
            return try await Self.keys(where: "fingerprint = $1", fingerprint, connection, logger)[0]
        }
    }

    public func keys() async throws -> [KeyInfo] {
        let logger = self.logger
        return try await read { connection in try await Self.keys(where: "$1", true, connection, logger) }
    }

    public func approveKey(_ fingerprint: String, now: Int64) async throws -> KeyInfo {
        try await decideKey(fingerprint, status: .approved, kind: .keyApproved, now: now)
    }

    public func revokeKey(_ fingerprint: String, now: Int64) async throws -> KeyInfo {
        try await decideKey(fingerprint, status: .revoked, kind: .keyRevoked, now: now)
    }

    public func rejectKey(_ reference: String, now: Int64) async throws -> KeyInfo {
        let logger = self.logger
        return try await administer(now: now) { connection in
            let prefix = reference.lowercased()
            let matches = try await Self.keys(where: "starts_with(fingerprint, $1)", prefix, connection, logger, order: "fingerprint LIMIT 2")
            let key = try AdministrationRules.rejectableKey(prefix, matches: matches)
            try await connection.query("DELETE FROM clinician_keys WHERE fingerprint = \(key.fingerprint) AND status = 'pending'", logger: logger)
            return (key, .administration(.keyRejected, now: now, site: key.site, key: key.fingerprint,
                                         detail: "\(key.clinicianName) (clinician \(key.clinicianId)): pending registration withdrawn"))
        }
    }

    private func decideKey(_ reference: String, status: KeyInfo.Status, kind: AuditEntry.Kind, now: Int64) async throws -> KeyInfo {
        let logger = self.logger
        return try await administer(now: now) { connection in
            let prefix = reference.lowercased()
            let matches = try await Self.keys(where: "starts_with(fingerprint, $1)", prefix, connection, logger, order: "fingerprint LIMIT 2")
            let key = try AdministrationRules.decidableKey(prefix, matches: matches, to: status)
            try await connection.query("UPDATE clinician_keys SET status = \(status.rawValue), decided_at = \(AuditEntry.stamp(now)) WHERE fingerprint = \(key.fingerprint)", logger: logger)
            let decided = try await Self.keys(where: "fingerprint = $1", key.fingerprint, connection, logger)[0]
            return (decided, .administration(kind, now: now, site: key.site, key: key.fingerprint, detail: key.clinicianName))
        }
    }

    // MARK: Witnesses

    public func addWitness(_ key: WitnessKey, url: String, now: Int64) async throws {
        let logger = self.logger
        try await administer(now: now) { connection in
            if try await Self.exists("SELECT 1 FROM witnesses WHERE name = \(key.name)", connection, logger) {
                throw ServerError("A witness named \(key.name) is already added.")
            }
            try await connection.query("INSERT INTO witnesses (name, vkey, url, added_at) VALUES (\(key.name), \(key.encoded), \(url), \(AuditEntry.stamp(now)))", logger: logger)
            return ((), .administration(.witnessAdded, now: now, detail: "\(key.encoded) at \(url)"))
        }
    }

    public func witnesses() async throws -> [WitnessInfo] {
        let logger = self.logger
        return try await read { connection in
            var witnesses: [WitnessInfo] = []
            for try await (name, key, url, size) in try await connection.query("SELECT name, vkey, url, cosigned_size FROM witnesses ORDER BY name", logger: logger)
                .decode((String, String, String, Int64).self) { witnesses.append(WitnessInfo(name: name, key: key, url: url, cosignedSize: Int(size))) }
            return witnesses
        }
    }

    public func recordCosignature(witness: String, size: Int, line: String) async throws {
        let logger = self.logger
        try await write { connection in
            try await connection.query("INSERT INTO cosignatures (witness, size, line) VALUES (\(witness), \(Int64(size)), \(line)) ON CONFLICT DO NOTHING", logger: logger)
            try await connection.query("UPDATE witnesses SET cosigned_size = greatest(cosigned_size, \(Int64(size))) WHERE name = \(witness)", logger: logger)
        }
    }

    public func setWitnessSize(_ witness: String, size: Int) async throws {
        let logger = self.logger
        try await write { connection in
            try await connection.query("UPDATE witnesses SET cosigned_size = \(Int64(size)) WHERE name = \(witness)", logger: logger)
        }
    }

    public func latestCosignedSize() async throws -> Int? {
        let logger = self.logger
        return try await read { connection in
            var size: Int?
            for try await value in try await connection.query("SELECT max(size) FROM cosignatures", logger: logger).decode(Int64?.self) { size = value.map(Int.init) }
            return size
        }
    }

    public func checkpoint(size: Int) async throws -> Checkpoint? {
        let logger = self.logger
        return try await read { connection in
            var found: Checkpoint?
            for try await (size, root, at, signature, key) in try await connection.query(
                "SELECT size, root, at, signature, key FROM checkpoints WHERE size = \(Int64(size))", logger: logger).decode((Int64, String, String, String, String).self) {
                found = Checkpoint(size: Int(size), root: root, at: at, signature: signature, key: key)
            }
            return found
        }
    }

    public func cosignatures(size: Int) async throws -> [String] {
        let logger = self.logger
        return try await read { connection in
            var lines: [String] = []
            for try await line in try await connection.query("SELECT line FROM cosignatures WHERE size = \(Int64(size)) ORDER BY witness", logger: logger).decode(String.self) {
                lines.append(line)
            }
            return lines
        }
    }

    // MARK: Auditors

    public func addAuditor(_ name: String, now: Int64) async throws -> String {
        try AdministrationRules.checkAuditorName(name)
        let credential = Credentials.make(prefix: "aca_"), logger = self.logger
        return try await administer(now: now) { connection in
            if try await Self.exists("SELECT 1 FROM auditors WHERE name = \(name)", connection, logger) { throw AdministrationRules.auditorExists(name) }
            try await connection.query("INSERT INTO auditors (name, credential_sha256, created_at) VALUES (\(name), \(Credentials.sha256(credential)), \(AuditEntry.stamp(now)))", logger: logger)
            return (credential, .administration(.auditorAdded, now: now, detail: "\(name); credential sha256 \(Credentials.sha256(credential))"))
        }
    }

    public func revokeAuditor(_ name: String, now: Int64) async throws {
        let logger = self.logger
        try await administer(now: now) { connection in
            guard try await Self.exists("UPDATE auditors SET revoked_at = \(AuditEntry.stamp(now)) WHERE name = \(name) AND revoked_at IS NULL RETURNING name", connection, logger) else {
                throw AdministrationRules.noSuchAuditor(name)
            }
            return ((), .administration(.auditorRevoked, now: now, detail: name))
        }
    }
}
