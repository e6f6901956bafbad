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
                FROM audit_log a LEFT JOIN events e ON e.id = a.event_id ORDER BY a.position
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
                SELECT id FROM events WHERE NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.event_id = events.id) ORDER BY seq LIMIT 20
                """, logger: logger).decode(String.self) { outside.append(id) }
            return checker.finish(checkpoints: checkpoints, eventsOutsideLog: outside, started: started)
        }
    }

    public func currentCheckpoint() async throws -> Checkpoint? { try await latestCheckpoint() }

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
