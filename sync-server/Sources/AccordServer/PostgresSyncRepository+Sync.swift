import AccordCore
import AccordLog
import AccordSync
import Foundation
import PostgresNIO

extension PostgresSyncRepository {
    // MARK: Push

    public func push(_ checked: [PushCheck.Outcome], from site: String, store: String?, now: Int64, remoteAddress: String?) async throws -> PushResponse {
        let logger = self.logger
        return try await groupWrite { connection, growth in
            let known = try await Self.known(checked, connection, logger)
            let plan = PushPlan(checked, from: site, known: known, at: AuditEntry.stamp(now), remoteAddress: remoteAddress)
            try await Self.insertEvents(plan.stored, receivedAt: AuditEntry.stamp(now), store: store, connection, logger)
            var team = PostgresInsert(into: "care_team", columns: ["patient", "site", "since_event"])
            for addition in plan.careTeamAdditions {
                team.row { binds in binds.append(addition.patient); binds.append(addition.site); binds.append(addition.event) }
            }
            try await team.run(on: connection, logger: logger)
            try await Self.extendFeeds(plan.stored, connection, logger)
            try await PostgresAuditLog.record(plan.auditEntries, connection, logger, growth: growth, now: now)
            return plan.response
        }
    }

    /// Inserts the pushed events in one statement of column arrays: a VALUES list of a whole push binds tens of
    /// thousands of parameters, which PostgreSQL parses and plans anew for every push.
    static func insertEvents(_ stored: [PushPlan.Stored], receivedAt: String, store: String?, _ connection: PostgresConnection, _ logger: Logger) async throws {
        guard !stored.isEmpty else { return }
        var seqs: [Int64] = [], ids: [ByteBuffer] = [], patients: [String] = [], sites: [String] = [], types: [String] = []
        var walls: [Int64] = [], logicals: [Int64] = [], bodies: [ByteBuffer] = [], signatures: [ByteBuffer] = []
        for row in stored {
            let event = row.event, envelope = row.event.envelope
            seqs.append(row.seq); ids.append(ByteBuffer(bytes: event.id.bytes)); patients.append(envelope.patient); sites.append(envelope.site)
            types.append(envelope.type.rawValue); walls.append(envelope.hlc.wall); logicals.append(Int64(envelope.hlc.logical))
            bodies.append(ByteBuffer(bytes: event.bytes))
            signatures.append(ByteBuffer(bytes: event.signature ?? Data()))  // no signature travels as empty bytes: NULL below
        }
        var binds = PostgresBindings(capacity: 11)
        binds.append(seqs); binds.append(ids); binds.append(patients); binds.append(sites); binds.append(types); binds.append(walls)
        binds.append(logicals); binds.append(bodies); binds.append(signatures); binds.append(receivedAt); binds.append(store)
        _ = try await connection.run(InsertEvents.self, binds, logger: logger)
    }

    enum InsertEvents: PreparedText {
        static let sql = """
            INSERT INTO events (seq, id, patient, site, type, hlc_wall, hlc_logical, body, received_at, signature, origin_store)
            SELECT t.seq, t.id, t.patient, t.site, t.type, t.wall, t.logical, t.body, $10::TEXT, NULLIF(t.signature, ''::BYTEA), $11::TEXT
            FROM unnest($1::BIGINT[], $2::BYTEA[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::BIGINT[], $7::BIGINT[], $8::BYTEA[], $9::BYTEA[])
                AS t(seq, id, patient, site, type, wall, logical, body, signature)
            ORDER BY t.seq
            """
    }

    /// Feed rows of new events, in order.
    enum InsertFeed: PreparedText {
        static let sql = """
            INSERT INTO feed (site, event_seq)
            SELECT t.site, t.event_seq FROM unnest($1::TEXT[], $2::BIGINT[]) WITH ORDINALITY AS t(site, event_seq, n) ORDER BY t.n
            """
    }

    /// Appends each stored event to its care team's feeds, in order; a joining site first gets the patient's
    /// earlier events.
    static func extendFeeds(_ stored: [PushPlan.Stored], _ connection: PostgresConnection, _ logger: Logger) async throws {
        var sites: [String] = [], seqs: [Int64] = []
        func flush() async throws {
            guard !sites.isEmpty else { return }
            // New events only, so no row can already be there: without ON CONFLICT, PostgreSQL skips the speculative
            // insertion, which cost 1.2-1.7 s of 5.6-6.1 s for 200,000 feed rows (psql, this machine).
            var binds = PostgresBindings(capacity: 2)
            binds.append(sites); binds.append(seqs)
            _ = try await connection.run(InsertFeed.self, binds, logger: logger)
            sites = []; seqs = []
        }
        for event in stored {
            for site in event.feedSites { sites.append(site); seqs.append(event.seq) }
            if let joining = event.joiningSite {
                try await flush()
                try await connection.query("""
                    INSERT INTO feed (site, event_seq) SELECT \(joining), seq FROM events
                    WHERE patient = \(event.event.envelope.patient) AND seq <= \(event.seq) ORDER BY seq ON CONFLICT DO NOTHING
                    """, logger: logger)
            }
        }
        try await flush()
    }

    /// What the database holds that bears on a push, in one query per kind.
    static func known(_ checked: [PushCheck.Outcome], _ connection: PostgresConnection, _ logger: Logger) async throws -> PushPlan.Known {
        let lookups = PushPlan.lookups(checked)
        var known = PushPlan.Known()
        var ids = PostgresBindings(capacity: 1), patients = PostgresBindings(capacity: 1)
        ids.append(lookups.ids); patients.append(lookups.patients)
        for row in try await connection.run(StoredSeqs.self, ids, logger: logger) {
            let (id, seq) = try row.decode((String, Int64).self)
            known.storedSeqs[id] = seq
        }
        for row in try await connection.run(CareTeams.self, patients, logger: logger) {
            let (patient, site) = try row.decode((String, String).self)
            known.careTeams[patient, default: []].append(site)
        }
        if !lookups.sharedSites.isEmpty {
            for try await name in try await connection.query("SELECT name FROM sites WHERE name = ANY(\(lookups.sharedSites)) AND revoked_at IS NULL", logger: logger).decode(String.self) {
                known.enrolledSites.insert(name)
            }
        }
        if !lookups.fingerprints.isEmpty {
            for key in try await keys(where: "fingerprint = ANY($1)", lookups.fingerprints, connection, logger) { known.keys[key.fingerprint] = key }
        }
        // Ordered by registration: the first site to register a key for a clinician owns them.
        var authors = PostgresBindings(capacity: 1)
        authors.append(lookups.authors)
        for row in try await connection.run(AuthorSites.self, authors, logger: logger) {
            let (clinician, site) = try row.decode((String, String).self)
            if known.authorSites[clinician] == nil { known.authorSites[clinician] = site }
        }
        for row in try await connection.run(LastSeq.self, PostgresBindings(), logger: logger) { known.lastSeq = try row.decode(Int64.self) }
        return known
    }

    enum StoredSeqs: PreparedText {
        static let sql = "SELECT encode(id, 'hex'), seq FROM events WHERE id IN (SELECT decode(unnest($1::TEXT[]), 'hex'))"
    }

    enum CareTeams: PreparedText {
        static let sql = "SELECT patient, site FROM care_team WHERE patient = ANY($1::TEXT[]) ORDER BY patient, site"
    }

    /// The sites that registered keys for the push's authors, in the order they did.
    enum AuthorSites: PreparedText {
        static let sql = "SELECT clinician_id, site FROM clinician_keys WHERE clinician_id = ANY($1::TEXT[]) ORDER BY registered_at"
    }

    enum LastSeq: PreparedText {
        static let sql = "SELECT coalesce(max(seq), 0)::BIGINT FROM events"
    }

    // MARK: Pull and reads

    public func pull(site: String, store: String?, after cursor: Int64, limit: Int, now: Int64, remoteAddress: String?) async throws -> PullPage {
        let logger = self.logger
        let (page, patients) = try await read { connection in
            try await Self.transaction(on: connection, logger: logger) { connection in
                try await connection.query(Self.pullPlanSettings, logger: logger)
                var builder = PullPageBuilder(after: cursor, limit: limit)
                var returned = 0
                for try await (seq, body, signature, patient, origin) in try await connection.query(Self.pullPage(site: site, after: cursor, limit: limit), logger: logger)
                    .decode((Int64, Data, Data?, String, String?).self) {
                    returned += 1
                    if let store, origin == store { builder.skip(seq: seq); continue }
                    guard builder.add(seq: seq, body: body, signature: signature, patient: patient) else { break }
                }
                builder.rowsRanOut(returned)
                return (builder.page, builder.counts)
            }
        }
        guard !patients.isEmpty else { return page }
        // Who received which patient's record is audited before the events leave the server.
        try await groupWrite { connection, growth in
            try await PostgresAuditLog.record(AuditEntry.pulled(patients: patients, by: site, now: now, remoteAddress: remoteAddress), connection, logger, growth: growth, now: now)
        }
        return page
    }

    /// A page of a site's feed: its rows after `cursor` in order, one more than `limit` (to tell whether more wait).
    static func pullPage(site: String, after cursor: Int64, limit: Int) -> PostgresQuery {
        """
        SELECT f.seq, e.body, e.signature, e.patient, e.origin_store FROM feed f JOIN events e ON e.seq = f.event_seq
        WHERE f.site = \(site) AND f.seq > \(cursor) ORDER BY f.seq LIMIT \(Int64(limit + 1))
        """
    }

    /// Holds a page to the feed's (site, seq) index, read in order and stopped at the limit. Until PostgreSQL has
    /// analyzed a feed that grew fast (a new server's first pushes, autovacuum's first minute), it guesses that few
    /// rows match the site and plans a bitmap scan of every row after the cursor, each joined with its event, then
    /// sorted: 249 ms a page of 1,001 rows against 2.2 ms (psql, 200,000 feed rows), so a whole pull grew with the
    /// square of the feed.
    static let pullPlanSettings: PostgresQuery = "SET LOCAL enable_bitmapscan = off"

    public func patientEvents(_ patient: String, site: String) async throws -> [(bytes: Data, signature: Data?)]? {
        let logger = self.logger
        return try await read { connection in
            var member = false
            for try await _ in try await connection.query("SELECT 1 FROM care_team WHERE patient = \(patient) AND site = \(site)", logger: logger) { member = true }
            guard member else { return nil }
            return try await Self.events(of: patient, connection, logger)
        }
    }

    public func treeHashes(height: Int, from index: Int, count: Int) async throws -> [Data]? {
        let logger = self.logger
        let hashes = try await read { connection in
            var hashes: [Data] = []
            let rows = try await connection.query("""
                SELECT hash FROM merkle_nodes WHERE height = \(Int64(height)) AND idx >= \(Int64(index)) AND idx < \(Int64(index + count)) ORDER BY idx
                """, logger: logger)
            for try await hash in rows.decode(Data.self) { hashes.append(hash) }
            return hashes
        }
        return hashes.count == count ? hashes : nil
    }

    public func logEntries(from position: Int, count: Int) async throws -> [Data]? {
        let logger = self.logger
        let entries = try await read { connection in
            var entries: [Data] = []
            let rows = try await connection.query("""
                SELECT entry FROM audit_log WHERE position >= \(Int64(position)) AND position < \(Int64(position + count)) ORDER BY position
                """, logger: logger)
            for try await entry in rows.decode(Data.self) { entries.append(entry) }
            return entries
        }
        return entries.count == count ? entries : nil
    }

    public func patientEventsForAudit(_ patient: String) async throws -> [(bytes: Data, signature: Data?)]? {
        let logger = self.logger
        let events = try await read { connection in try await Self.events(of: patient, connection, logger) }
        return events.isEmpty ? nil : events
    }

    static func events(of patient: String, _ connection: PostgresConnection, _ logger: Logger) async throws -> [(bytes: Data, signature: Data?)] {
        var events: [(bytes: Data, signature: Data?)] = []
        let rows = try await connection.query("SELECT body, signature FROM events WHERE patient = \(patient) ORDER BY seq", logger: logger)
        for try await (body, signature) in rows.decode((Data, Data?).self) { events.append((body, signature)) }
        return events
    }

    /// Writes entries to the audit log, committed with the writes that arrive with them.
    public func record(_ entries: [AuditEntry], now: Int64) async throws {
        let logger = self.logger
        try await groupWrite { connection, growth in try await PostgresAuditLog.record(entries, connection, logger, growth: growth, now: now) }
    }

    public func recordRead(_ read: RecordRead) async throws {
        try await record([AuditEntry(read)], now: read.now)
    }

    public func recordRepin(_ notice: RepinNotice, site: String, now: Int64, remoteAddress: String?) async throws {
        try await record([.repinned(notice, site: site, now: now, remoteAddress: remoteAddress)], now: now)
    }

    public func accessLog(patient: String) async throws -> [AccessEntry] {
        let logger = self.logger
        return try await read { connection in
            var entries: [AccessEntry] = []
            let rows = try await connection.query("SELECT entry FROM audit_log WHERE patient = \(patient) ORDER BY position", logger: logger)
            for try await bytes in rows.decode(Data.self) { entries.append(AccessEntry(try AuditEntry.decode(bytes), patient: patient)) }
            return entries
        }
    }

    // MARK: The log's checkpoints and proofs

    /// The latest checkpoint, with its C2SP note.
    public func latestCheckpoint() async throws -> Checkpoint? {
        let logger = self.logger
        return try await read { connection in try await PostgresAuditLog.latestCheckpoint(connection, logger) }
            .map { try LogArchive.noted($0, key: signingKey) }
    }

    public func inclusion(event: String, site: String) async throws -> (InclusionProof, Checkpoint)? {
        let logger = self.logger
        return try await read { connection in
            var position: Int?
            let rows = try await connection.query("""
                SELECT a.position FROM audit_log a JOIN care_team c ON c.patient = a.patient AND c.site = \(site) WHERE a.event_id = \(event)
                """, logger: logger)
            for try await value in rows.decode(Int64.self) { position = Int(value) }
            guard let position, let checkpoint = try await PostgresAuditLog.latestCheckpoint(connection, logger), position < checkpoint.size else { return nil }
            return (try await PostgresAuditLog.inclusion(position: position, in: checkpoint, connection, logger), try LogArchive.noted(checkpoint, key: self.signingKey))
        }
    }

    public func consistency(from old: Int, to new: Int) async throws -> ConsistencyProof {
        let logger = self.logger
        return try await read { connection in
            let size = try await PostgresAuditLog.size(connection, logger)
            var signed = false
            for try await _ in try await connection.query("SELECT 1 FROM checkpoints WHERE size = \(Int64(new))", logger: logger) { signed = true }
            guard old >= 0, old <= new, new <= size, signed else {
                throw ServerError("A consistency proof needs 0 <= from <= to, with `to` the size of a signed checkpoint (the log holds \(size) entries).")
            }
            return try await PostgresAuditLog.consistency(from: old, to: new, connection, logger)
        }
    }
}
