import AccordCore
import AccordLog
import AccordSync
import Foundation
import GRDB

extension SQLiteSyncRepository {
    // MARK: Push

    public func push(_ checked: [PushCheck.Outcome], from site: String, store: String?, now: Int64, remoteAddress: String?) async throws -> PushResponse {
        try await groupWrite { db, growth in
            let receivedAt = AuditEntry.stamp(now)
            let plan = PushPlan(checked, from: site, known: try Self.known(checked, db), at: receivedAt, remoteAddress: remoteAddress)
            // The log's rows are laid out first, so each event is stored with its place in the log.
            let audit = try SQLiteAuditLog.prepare(plan.auditEntries, db, growth: growth)
            let positions = audit?.acceptedPositions ?? [:]
            let insertEvent = try db.cachedStatement(sql: """
                INSERT INTO events (seq, id, patient, site, type, hlc_wall, hlc_logical, body, received_at, signature, audit_position, origin_store)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for stored in plan.stored {
                let envelope = stored.event.envelope, id = stored.event.id
                try BoundInsert.run(insertEvent, [.integer(stored.seq), .blob(id.bytes), .text(envelope.patient), .text(envelope.site),
                                                  .text(envelope.type.rawValue), .integer(envelope.hlc.wall), .integer(Int64(envelope.hlc.logical)),
                                                  .blob(stored.event.bytes), .text(receivedAt), .blob(stored.event.signature),
                                                  .integer(positions[id.hex]), .text(store)])
            }
            for addition in plan.careTeamAdditions {
                try db.execute(sql: "INSERT INTO care_team (patient, site, since_event) VALUES (?, ?, ?)", arguments: [addition.patient, addition.site, addition.event])
            }
            // New events only, so no row can already be there; as on PostgreSQL, a duplicate would be an error, not skipped.
            let insertFeed = try db.cachedStatement(sql: "INSERT INTO feed (site, event_seq) VALUES (?, ?)")
            for stored in plan.stored {
                for feedSite in stored.feedSites { try BoundInsert.run(insertFeed, [.text(feedSite), .integer(stored.seq)]) }
                if let joining = stored.joiningSite {
                    // A site joining the care team gets every earlier event of the patient, in order.
                    try db.execute(sql: """
                        INSERT INTO feed (site, event_seq) SELECT ?, seq FROM events WHERE patient = ? AND seq <= ? ORDER BY seq ON CONFLICT DO NOTHING
                        """, arguments: [joining, stored.event.envelope.patient, stored.seq])
                }
            }
            if let audit {
                try SQLiteAuditLog.insertRows(audit, db)
                growth.appended(audit, now: now)
            }
            return plan.response
        }
    }

    /// What the database holds that bears on a push: the batch's stored ids, care teams, shared sites and keys.
    static func known(_ checked: [PushCheck.Outcome], _ db: Database) throws -> PushPlan.Known {
        let lookups = PushPlan.lookups(checked)
        var known = PushPlan.Known()
        let seqByID = try db.cachedStatement(sql: "SELECT seq FROM events WHERE id = ?")
        for id in lookups.ids {
            if let seq = try Int64.fetchOne(seqByID, arguments: [HexEncoding.decode(id)]) { known.storedSeqs[id] = seq }
        }
        let team = try db.cachedStatement(sql: "SELECT site FROM care_team WHERE patient = ?")
        for patient in lookups.patients { known.careTeams[patient] = try String.fetchAll(team, arguments: [patient]) }
        for site in lookups.sharedSites
        where try Bool.fetchOne(db, sql: "SELECT 1 FROM sites WHERE name = ? AND revoked_at IS NULL", arguments: [site]) == true {
            known.enrolledSites.insert(site)
        }
        for fingerprint in lookups.fingerprints { known.keys[fingerprint] = try key(fingerprint, db) }
        let owner = try db.cachedStatement(sql: "SELECT site FROM clinician_keys WHERE clinician_id = ? ORDER BY registered_at LIMIT 1")
        for author in lookups.authors {
            if let site = try String.fetchOne(owner, arguments: [author]) { known.authorSites[author] = site }
        }
        known.lastSeq = try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM events") ?? 0
        return known
    }

    // MARK: Pull and reads

    public func pull(site: String, store: String?, after cursor: Int64, limit: Int, now: Int64, remoteAddress: String?) async throws -> PullPage {
        let (page, patients) = try await pool.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT f.seq, e.body, e.signature, e.patient, e.origin_store FROM feed f JOIN events e ON e.seq = f.event_seq
                WHERE f.site = ? AND f.seq > ? ORDER BY f.seq LIMIT ?
                """, arguments: [site, cursor, limit + 1])
            var builder = PullPageBuilder(after: cursor, limit: limit)
            var returned = 0
            while let row = try rows.next() {
                returned += 1
                if let store, row[4] as String? == store { builder.skip(seq: row[0]); continue }
                guard builder.add(seq: row[0], body: row[1], signature: row[2], patient: row[3]) else { break }
            }
            builder.rowsRanOut(returned)
            return (builder.page, builder.counts)
        }
        guard !patients.isEmpty else { return page }
        // Who received which patient's record is audited before the events leave the server.
        try await groupWrite { db, growth in
            try SQLiteAuditLog.record(AuditEntry.pulled(patients: patients, by: site, now: now, remoteAddress: remoteAddress), db, growth: growth, now: now)
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

    public func patientEventsForAudit(_ patient: String) async throws -> [(bytes: Data, signature: Data?)]? {
        let events = try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT body, signature FROM events WHERE patient = ? ORDER BY seq", arguments: [patient])
                .map { (bytes: $0["body"] as Data, signature: $0["signature"] as Data?) }
        }
        return events.isEmpty ? nil : events
    }

    public func treeHashes(height: Int, from index: Int, count: Int) async throws -> [Data]? {
        let hashes = try await pool.read { db in
            try Data.fetchAll(db, sql: "SELECT hash FROM merkle_nodes WHERE height = ? AND idx >= ? AND idx < ? ORDER BY idx",
                              arguments: [height, index, index + count])
        }
        return hashes.count == count ? hashes : nil
    }

    public func logEntries(from position: Int, count: Int) async throws -> [Data]? {
        let entries = try await pool.read { db in
            try Data.fetchAll(db, sql: "SELECT entry FROM audit_log WHERE position >= ? AND position < ? ORDER BY position",
                              arguments: [position, position + count])
        }
        return entries.count == count ? entries : nil
    }

    public func recordRead(_ read: RecordRead) async throws {
        try await groupWrite { db, growth in try SQLiteAuditLog.record([AuditEntry(read)], db, growth: growth, now: read.now) }
    }

    public func recordRepin(_ notice: RepinNotice, site: String, now: Int64, remoteAddress: String?) async throws {
        try await pool.write { db in
            try SQLiteAuditLog.record([.repinned(notice, site: site, now: now, remoteAddress: remoteAddress)], db, key: self.signingKey, now: now)
        }
    }

    public func record(_ entries: [AuditEntry], now: Int64) async throws {
        try await groupWrite { db, growth in try SQLiteAuditLog.record(entries, db, growth: growth, now: now) }
    }

    public func accessLog(patient: String) async throws -> [AccessEntry] {
        try await pool.read { db in
            try Data.fetchAll(db, sql: "SELECT entry FROM audit_log WHERE patient = ? ORDER BY position", arguments: [patient])
                .map { AccessEntry(try AuditEntry.decode($0), patient: patient) }
        }
    }

    // MARK: The log's checkpoints and proofs

    /// The latest checkpoint, with its C2SP note.
    public func latestCheckpoint() async throws -> Checkpoint? {
        try await pool.read { db in try SQLiteAuditLog.latestCheckpoint(db) }.map { try LogArchive.noted($0, key: signingKey) }
    }

    public func inclusion(event: String, site: String) async throws -> (InclusionProof, Checkpoint)? {
        try await pool.read { db in
            guard let position = try Int.fetchOne(db, sql: """
                SELECT e.audit_position FROM events e JOIN care_team c ON c.patient = e.patient AND c.site = ?
                WHERE e.id = ?
                """, arguments: [site, HexEncoding.decode(event)]), let checkpoint = try SQLiteAuditLog.latestCheckpoint(db) else { return nil }
            guard position < checkpoint.size else { return nil }
            return (try SQLiteAuditLog.inclusion(position: position, in: checkpoint, db), try LogArchive.noted(checkpoint, key: self.signingKey))
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
