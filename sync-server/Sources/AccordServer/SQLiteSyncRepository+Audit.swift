import AccordCore
import AccordLog
import Foundation
import GRDB

extension SQLiteSyncRepository: ServerRepository {

    /// Rebuilds the audit log from the database and checks it (`accord-server audit verify`).
    public func verifyAuditLog() throws -> AuditReport {
        let started = Date()
        var checker = AuditLogChecker(serverKey: signingKey.publicKey)
        return try pool.read { db in
            let rows = try Row.fetchCursor(db, sql: """
                SELECT a.position, a.kind, a.at, a.site, a.patient, a.event_id, a.entry, a.leaf_hash, e.body, e.signature, e.audit_position
                FROM audit_log a LEFT JOIN events e ON e.id = id_bytes(a.event_id) ORDER BY a.position
                """)
            while let row = try rows.next() {
                checker.check(AuditLogChecker.Row(position: row[0], kind: row[1], at: row[2], site: row[3], patient: row[4], eventID: row[5],
                                                  entry: row[6], leafHash: row[7], eventBody: row[8], eventSignature: row[9], eventLogPosition: row[10]))
            }
            let nodes = try Row.fetchCursor(db, sql: "SELECT height, idx, hash FROM merkle_nodes ORDER BY height, idx")
            while let node = try nodes.next() { checker.checkNode(height: node[0], index: node[1], hash: node[2]) }
            let checkpoints = try Row.fetchAll(db, sql: "SELECT * FROM checkpoints ORDER BY size").map(SQLiteAuditLog.checkpoint)
            let outside = try String.fetchAll(db, sql: """
                SELECT lower(hex(id)) FROM events WHERE audit_position IS NULL
                    OR NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.position = events.audit_position AND a.event_id = lower(hex(events.id)))
                ORDER BY seq LIMIT 20
                """)
            return checker.finish(checkpoints: checkpoints, eventsOutsideLog: outside, access: try Self.accessTables(db), started: started)
        }
    }
}

extension SQLiteSyncRepository {
    /// The tables that say who may see what, for `audit verify`.
    static func accessTables(_ db: Database) throws -> AccessTables {
        var tables = AccessTables()
        tables.sites = try Row.fetchAll(db, sql: "SELECT name, credential_sha256, revoked_at IS NOT NULL FROM sites").map {
            AccessTables.Holder(name: $0[0], credentialSHA256: $0[1], revoked: $0[2])
        }
        tables.auditors = try Row.fetchAll(db, sql: "SELECT name, credential_sha256, revoked_at IS NOT NULL FROM auditors").map {
            AccessTables.Holder(name: $0[0], credentialSHA256: $0[1], revoked: $0[2])
        }
        tables.keys = try Row.fetchAll(db, sql: "SELECT fingerprint, public_key, site, clinician_id, status FROM clinician_keys").map {
            AccessTables.Key(fingerprint: $0[0], publicKey: $0[1], site: $0[2], clinicianID: $0[3], status: $0[4])
        }
        tables.careTeam = try Row.fetchAll(db, sql: "SELECT patient, site FROM care_team").map { (patient: $0[0], site: $0[1]) }
        let feed = try Row.fetchCursor(db, sql: "SELECT f.site, e.patient, lower(hex(e.id)) FROM feed f JOIN events e ON e.seq = f.event_seq")
        while let row = try feed.next() { tables.addFeedRow(site: row[0], patient: row[1], event: row[2]) }
        var last = -1
        let order = try Row.fetchCursor(db, sql: "SELECT lower(hex(id)), audit_position FROM events ORDER BY seq")
        while let row = try order.next() {
            guard let position = row[1] as Int? else { continue }
            if position < last { tables.outOfOrderEvents.append(row[0]) }
            last = max(last, position)
        }
        return tables
    }

    /// Every treatment agreement with its history, signatures and inclusion proofs (`accord-server audit agreements`).
    public func agreementAudit(_ filter: AgreementFilter, on date: LocalDate) throws -> [AgreementAudit] {
        try pool.read { db in
            let keys = Dictionary(try Row.fetchAll(db, sql: "SELECT fingerprint, status FROM clinician_keys").map {
                ($0["fingerprint"] as String, KeyStatusLookup(status: $0["status"]))
            }, uniquingKeysWith: { first, _ in first })
            let checkpoint = try SQLiteAuditLog.latestCheckpoint(db)
            var patients = try String.fetchAll(db, sql: "SELECT DISTINCT patient FROM events WHERE type LIKE 'agreement.%' ORDER BY patient")
            patients = patients.filter(filter.includes(patient:))
            let positionStatement = try db.cachedStatement(sql: "SELECT audit_position FROM events WHERE id = ?")
            var audits: [AgreementAudit] = []
            for patient in patients {
                let events = try Row.fetchAll(db, sql: "SELECT body, signature FROM events WHERE patient = ? ORDER BY seq", arguments: [patient])
                    .map { try Event(bytes: $0["body"], signature: $0["signature"]) }
                audits += try AgreementAuditBuilder.build(
                    events: events, on: date, keys: keys,
                    position: { try Int.fetchOne(positionStatement, arguments: [HexEncoding.decode($0)]) },
                    proof: { position in try checkpoint.flatMap { position < $0.size ? try SQLiteAuditLog.inclusion(position: position, in: $0, db) : nil } },
                    checkpoint: checkpoint)
            }
            return audits.filter(filter.matches)
        }
    }

    public func agreements(_ filter: AgreementFilter, on date: LocalDate) async throws -> [AgreementAudit] {
        try agreementAudit(filter, on: date)
    }

    /// The latest checkpoint, for the administrative commands and the auditor's page.
    public func currentCheckpoint() throws -> Checkpoint? {
        try pool.read { db in try SQLiteAuditLog.latestCheckpoint(db) }
    }
}

extension SQLiteSyncRepository {
    /// Appends `count` read entries in one transaction and signs a checkpoint: only for the benchmark that fills a
    /// log to a million entries; never called by the server.
    @_spi(Benchmark) public func appendSyntheticReads(count: Int, patient: String, now: Int64) throws {
        try pool.write { db in
            let entries = (0..<count).map {
                AuditEntry(position: 0, kind: .recordRead, at: AuditEntry.stamp(now), site: "bench", patient: patient,
                           remoteAddress: "127.0.0.1", outcome: "ok", detail: "benchmark read \($0)")
            }
            try SQLiteAuditLog.record(entries, db, key: self.signingKey, now: now)
        }
    }
}
