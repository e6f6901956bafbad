import AccordCore
import AccordLog
import Foundation
import PostgresNIO

extension PostgresSyncRepository: ServerRepository {
    /// Rebuilds the audit log from the shared database and checks it, streaming the rows in position order.
    public func verifyAuditLog() async throws -> AuditReport {
        let started = Date(), logger = self.logger, serverKey = signingKey.publicKey
        return try await read { connection in
            var checker = AuditLogChecker(serverKey: serverKey)
            let rows = try await connection.query("""
                SELECT a.position, a.kind, a.at, a.site, a.patient, a.event_id, a.entry, a.leaf_hash, e.body, e.signature
                FROM audit_log a LEFT JOIN events e ON encode(e.id, 'hex') = a.event_id ORDER BY a.position
                """, logger: logger)
            for try await (position, kind, at, site, patient, event, entry, leaf, body, signature) in rows
                .decode((Int64, String, String, String?, String?, String?, Data, Data, Data?, Data?).self) {
                checker.check(AuditLogChecker.Row(position: Int(position), kind: kind, at: at, site: site, patient: patient, eventID: event,
                                                  entry: entry, leafHash: leaf, eventBody: body, eventSignature: signature))
            }
            for try await (height, index, hash) in try await connection.query("SELECT height::BIGINT, idx, hash FROM merkle_nodes ORDER BY height, idx", logger: logger)
                .decode((Int64, Int64, Data).self) {
                checker.checkNode(height: Int(height), index: Int(index), hash: hash)
            }
            let checkpoints = try await PostgresAuditLog.checkpoints(connection, logger, "SELECT size, root, at, signature, key FROM checkpoints ORDER BY size")
            var outside: [String] = []
            for try await id in try await connection.query("""
                SELECT encode(id, 'hex') FROM events WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.event_id = encode(events.id, 'hex')) ORDER BY seq LIMIT 20
                """, logger: logger).decode(String.self) { outside.append(id) }
            return checker.finish(checkpoints: checkpoints, eventsOutsideLog: outside, access: try await Self.accessTables(connection, logger), started: started)
        }
    }

    public func currentCheckpoint() async throws -> Checkpoint? { try await latestCheckpoint() }

    /// The tables that say who may see what, for `audit verify`.
    static func accessTables(_ connection: PostgresConnection, _ logger: Logger) async throws -> AccessTables {
        var tables = AccessTables()
        for try await (name, hash, revoked) in try await connection.query("SELECT name, credential_sha256, revoked_at IS NOT NULL FROM sites", logger: logger)
            .decode((String, String, Bool).self) { tables.sites.append(.init(name: name, credentialSHA256: hash, revoked: revoked)) }
        for try await (name, hash, revoked) in try await connection.query("SELECT name, credential_sha256, revoked_at IS NOT NULL FROM auditors", logger: logger)
            .decode((String, String, Bool).self) { tables.auditors.append(.init(name: name, credentialSHA256: hash, revoked: revoked)) }
        for try await (fingerprint, key, site, clinician, status) in try await connection.query("SELECT fingerprint, public_key, site, clinician_id, status FROM clinician_keys", logger: logger)
            .decode((String, Data, String, String, String).self) {
            tables.keys.append(.init(fingerprint: fingerprint, publicKey: key, site: site, clinicianID: clinician, status: status))
        }
        for try await (patient, site) in try await connection.query("SELECT patient, site FROM care_team", logger: logger).decode((String, String).self) {
            tables.careTeam.append((patient, site))
        }
        for try await (site, patient, id) in try await connection.query("SELECT f.site, e.patient, encode(e.id, 'hex') FROM feed f JOIN events e ON e.seq = f.event_seq", logger: logger)
            .decode((String, String, String).self) { tables.addFeedRow(site: site, patient: patient, event: id) }
        var last: Int64 = -1
        for try await (id, position) in try await connection.query("SELECT encode(e.id, 'hex'), a.position FROM events e JOIN audit_log a ON a.event_id = encode(e.id, 'hex') ORDER BY e.seq", logger: logger)
            .decode((String, Int64).self) {
            if position < last { tables.outOfOrderEvents.append(id) }
            last = max(last, position)
        }
        return tables
    }

    /// Every treatment agreement with its history, signatures and inclusion proofs, each proof fetched before the
    /// audit is built.
    public func agreements(_ filter: AgreementFilter, on date: LocalDate) async throws -> [AgreementAudit] {
        let logger = self.logger
        return try await read { connection in
            var keys: [String: KeyStatusLookup] = [:]
            for key in try await Self.keys(where: "$1", true, connection, logger) { keys[key.fingerprint] = KeyStatusLookup(status: key.status.rawValue) }
            let checkpoint = try await PostgresAuditLog.latestCheckpoint(connection, logger)
            var patients: [String] = []
            for try await patient in try await connection.query("SELECT DISTINCT patient FROM events WHERE type LIKE 'agreement.%' ORDER BY patient", logger: logger).decode(String.self)
            where filter.includes(patient: patient) { patients.append(patient) }
            var audits: [AgreementAudit] = []
            for patient in patients {
                let events = try await Self.events(of: patient, connection, logger).map { try Event(bytes: $0.bytes, signature: $0.signature) }
                var positions: [String: Int] = [:], proofs: [Int: InclusionProof] = [:]
                let ids = events.filter { $0.envelope.type.rawValue.hasPrefix("agreement.") }.map(\.id.hex)
                for try await (id, position) in try await connection.query("SELECT event_id, position FROM audit_log WHERE event_id = ANY(\(ids))", logger: logger)
                    .decode((String, Int64).self) {
                    positions[id] = Int(position)
                }
                // The proofs are fetched once the rows above are read: one query at a time on a connection.
                if let checkpoint {
                    for position in Set(positions.values) where position < checkpoint.size {
                        proofs[position] = try await PostgresAuditLog.inclusion(position: position, in: checkpoint, connection, logger)
                    }
                }
                audits += AgreementAuditBuilder.build(events: events, on: date, keys: keys, position: { positions[$0] }, proof: { proofs[$0] }, checkpoint: checkpoint)
            }
            return audits.filter(filter.matches)
        }
    }
}
