import AccordCore
import AccordLog
import AccordSync
import Foundation
import GRDB

extension SQLiteSyncRepository {
    // MARK: Push

    public func push(_ checked: [PushCheck.Outcome], from site: String, now: Int64, remoteAddress: String?) async throws -> PushResponse {
        try await pool.write { db in
            var response = PushResponse(accepted: [], rejected: [])
            let at = Self.stamp(now)
            func refuse(_ rejection: Rejection, patient: String?) throws {
                response.rejected.append(rejection)
                try SQLiteAuditLog.append(AuditEntry(position: 0, kind: .eventRefused, at: at, site: site, patient: patient, event: rejection.id,
                                                     remoteAddress: remoteAddress, outcome: rejection.code, detail: "refused: \(rejection.reason)"), db)
            }
            for (index, outcome) in checked.enumerated() {
                switch outcome {
                case .refused(let rejection):
                    try refuse(rejection, patient: nil)
                case .valid(let event):
                    if let seq = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM events WHERE id = ?"), arguments: [event.id.hex]) {
                        response.accepted.append(Acknowledgement(id: event.id.hex, seq: seq, duplicate: true))
                        continue
                    }
                    if let refusal = try Self.careTeamRefusal(event, site: site, line: index + 1, db) ?? Self.keyRefusal(event, site: site, line: index + 1, db) {
                        try refuse(refusal, patient: event.envelope.patient)
                        continue
                    }
                    let envelope = event.envelope
                    try db.cachedStatement(sql: """
                        INSERT INTO events (id, patient, site, type, hlc_wall, hlc_logical, body, received_at, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """).execute(arguments: [event.id.hex, envelope.patient, envelope.site, envelope.type.rawValue, envelope.hlc.wall,
                                         Int64(envelope.hlc.logical), event.bytes, at, event.signature])
                    let seq = db.lastInsertedRowID
                    try Self.extendCareTeam(event, db)
                    try db.cachedStatement(sql: """
                        INSERT INTO feed (site, event_seq) SELECT site, ? FROM care_team WHERE patient = ? AND site <> ?
                        ON CONFLICT DO NOTHING
                        """).execute(arguments: [seq, envelope.patient, site])
                    try SQLiteAuditLog.append(AuditEntry(position: 0, kind: .eventAccepted, at: at, site: site, patient: envelope.patient,
                                                         event: event.id.hex, eventType: envelope.type.rawValue,
                                                         signature: event.signature?.base64EncodedString(), key: envelope.signing?.fingerprint,
                                                         actor: envelope.author.name, remoteAddress: remoteAddress, outcome: "ok"), db)
                    response.accepted.append(Acknowledgement(id: event.id.hex, seq: seq, duplicate: false))
                }
            }
            try SQLiteAuditLog.checkpoint(db, key: self.signingKey, now: now)
            return response
        }
    }

    /// Why a signed event's key is not accepted: it must be registered by the sending site for the event's author,
    /// and approved (not pending, not revoked). The signature itself was checked in `PushCheck`.
    static func keyRefusal(_ event: Event, site: String, line: Int, _ db: Database) throws -> Rejection? {
        guard let signing = event.envelope.signing, let fingerprint = signing.fingerprint else { return nil }
        let id = event.id.hex
        guard let key = try key(fingerprint, db), key.site == site else {
            return Rejection(id: id, line: line, code: "key-unknown",
                             reason: "the signing key \(fingerprint.prefix(16)) is not registered for site '\(site)'; `accord sync` registers it, then an administrator approves it")
        }
        guard key.clinicianId == event.envelope.author.id else {
            return Rejection(id: id, line: line, code: "key-mismatch",
                             reason: "the signing key \(fingerprint.prefix(16)) belongs to \(key.clinicianName), not to the event's author \(event.envelope.author.name)")
        }
        switch key.status {
        case .approved: return nil
        case .pending:
            return Rejection(id: id, line: line, code: "key-pending",
                             reason: "the signing key \(fingerprint.prefix(16)) of \(key.clinicianName) awaits approval: ask the administrator to run `accord-server key approve \(fingerprint.prefix(16))`, then sync again")
        case .revoked:
            return Rejection(id: id, line: line, code: "key-revoked",
                             reason: "the signing key \(fingerprint.prefix(16)) of \(key.clinicianName) was revoked on \(key.decidedAt ?? "an earlier date"); the entry cannot be accepted under it")
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

    // MARK: Pull and reads

    public func pull(site: String, after cursor: Int64, limit: Int, now: Int64, remoteAddress: String?) async throws -> PullPage {
        let (page, patients) = try await pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT f.seq, e.body, e.signature, e.patient FROM feed f JOIN events e ON e.seq = f.event_seq
                WHERE f.site = ? AND f.seq > ? ORDER BY f.seq LIMIT ?
                """, arguments: [site, cursor, limit + 1])
            let page = rows.prefix(limit)
            var counts: [String: Int] = [:]
            for row in page { counts[row["patient"], default: 0] += 1 }
            return (PullPage(bodies: page.map { (bytes: $0["body"] as Data, signature: $0["signature"] as Data?) },
                             cursor: page.last?["seq"] ?? cursor, more: rows.count > limit), counts)
        }
        guard !patients.isEmpty else { return page }
        // Who received which patient's record is audited before the events leave the server.
        try await pool.write { db in
            for (patient, count) in patients.sorted(by: { $0.key < $1.key }) {
                try SQLiteAuditLog.append(AuditEntry(position: 0, kind: .recordRead, at: Self.stamp(now), site: site, patient: patient,
                                                     remoteAddress: remoteAddress, outcome: "ok", detail: "pulled \(count) event(s)"), db)
            }
            try SQLiteAuditLog.checkpoint(db, key: self.signingKey, now: now)
        }
        return page
    }

    public func patientEvents(_ patient: String, site: String) async throws -> [(bytes: Data, signature: Data?)]? {
        try await pool.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM care_team WHERE patient = ? AND site = ?", arguments: [patient, site]) == true else {
                return nil
            }
            return try Row.fetchAll(db, sql: "SELECT body, signature FROM events WHERE patient = ? ORDER BY seq", arguments: [patient])
                .map { (bytes: $0["body"] as Data, signature: $0["signature"] as Data?) }
        }
    }

    public func recordRead(_ read: RecordRead) async throws {
        try await pool.write { db in
            try SQLiteAuditLog.append(AuditEntry(position: 0, kind: read.site == nil ? .auditViewed : .recordRead, at: Self.stamp(read.now),
                                                 site: read.site, patient: read.patient, actor: read.actor, remoteAddress: read.remoteAddress,
                                                 outcome: read.outcome, detail: read.detail), db)
            try SQLiteAuditLog.checkpoint(db, key: self.signingKey, now: read.now)
        }
    }

    public func recordRefusedCredential(path: String, now: Int64, remoteAddress: String?) async throws {
        try await pool.write { db in
            try SQLiteAuditLog.append(AuditEntry(position: 0, kind: .credentialRefused, at: Self.stamp(now), remoteAddress: remoteAddress,
                                                 outcome: "unauthorized", detail: path), db)
            try SQLiteAuditLog.checkpoint(db, key: self.signingKey, now: now)
        }
    }

    public func accessLog(patient: String) async throws -> [AccessEntry] {
        try await pool.read { db in
            try Data.fetchAll(db, sql: "SELECT entry FROM audit_log WHERE patient = ? ORDER BY position", arguments: [patient]).map { bytes in
                let entry = try AuditEntry.decode(bytes)
                let write = entry.kind == .eventAccepted || entry.kind == .eventRefused
                return AccessEntry(position: entry.position, at: entry.at, site: entry.site, actor: entry.actor, patient: patient,
                                   action: write ? "write" : "read", detail: entry.eventType ?? entry.detail, outcome: entry.outcome ?? "ok",
                                   remoteAddress: entry.remoteAddress)
            }
        }
    }

    // MARK: The log's checkpoints and proofs

    public func latestCheckpoint() async throws -> Checkpoint? {
        try await pool.read { db in try SQLiteAuditLog.latestCheckpoint(db) }
    }

    public func inclusion(event: String, site: String) async throws -> (InclusionProof, Checkpoint)? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT a.position FROM audit_log a JOIN care_team c ON c.patient = a.patient AND c.site = ?
                WHERE a.event_id = ?
                """, arguments: [site, event]), let checkpoint = try SQLiteAuditLog.latestCheckpoint(db) else { return nil }
            let position: Int = row["position"]
            guard position < checkpoint.size else { return nil }
            return (try SQLiteAuditLog.inclusion(position: position, in: checkpoint, db), checkpoint)
        }
    }

    public func consistency(from old: Int, to new: Int) async throws -> ConsistencyProof {
        try await pool.read { db in
            let size = try SQLiteAuditLog.size(db)
            guard old >= 0, old <= new, new <= size,
                  try Bool.fetchOne(db, sql: "SELECT 1 FROM checkpoints WHERE size = ?", arguments: [new]) == true else {
                throw ServerError("A consistency proof needs 0 <= from <= to, with `to` the size of a signed checkpoint (the log holds \(size) entries).")
            }
            return try SQLiteAuditLog.consistency(from: old, to: new, db)
        }
    }
}
