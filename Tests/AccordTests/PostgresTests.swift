import AccordCore
@testable import AccordServer
import AccordStore
import Foundation
import Testing

/// What only a shared PostgreSQL database does: several server instances at once, the copy from SQLite, and a
/// database that goes away mid-push. The storage and sync tests in `SyncTests` run on both backends.
@Suite("PostgreSQL: several instances, migration, connection loss", .serialized)
struct PostgresTests {
    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty && $0 != "false" } ?? false }

    @Test("PostgreSQL is configured wherever the tests must run on it (in CI a skip is a failure)",
          .enabled(if: ServerBackend.postgresAdminURL != nil || inCI, Comment(rawValue: ServerBackend.howToEnable)))
    func configured() throws {
        #expect(ServerBackend.postgresAdminURL != nil, "CI must run the PostgreSQL tests; .ci/run starts a cluster and sets \(ServerBackend.adminURLVariable)")
        if let admin = ServerBackend.postgresAdminURL {
            #expect(try PostgresTestDatabase.psql(admin, "SHOW server_version").first?.hasPrefix("15") == true)
        }
    }

    @Test("three instances on one database: sites push and pull through different instances at once, all converge, one audit log",
          arguments: ServerBackend.postgresIfConfigured)
    func severalInstances(backend: ServerBackend) throws {
        let folder = TemporaryDirectory("pg-instances")
        defer { folder.remove() }
        let first = try ServerProcess(folder, backend: backend)
        let second = try ServerProcess(sharingDatabaseOf: first)
        let third = try ServerProcess(sharingDatabaseOf: first)
        let north = try TestSite("north", server: first, folder: folder)
        let south = try TestSite("south", server: first, folder: folder)
        let east = try TestSite("east", server: first, folder: folder)
        #expect(try south.run("remote", "add", second.url, "--credential", south.credential, "--new-server").status == 0)
        #expect(try east.run("remote", "add", third.url, "--credential", east.credential, "--new-server").status == 0)
        // One patient shared by all three sites, and one of each site's own.
        let shared = try north.addPatient("Pat Shared", mrn: "P1")
        #expect(try north.run("patient", "share", "--patient", shared, "--site", "south").status == 0)
        #expect(try north.run("patient", "share", "--patient", shared, "--site", "east").status == 0)
        try north.sync(); try south.sync(); try east.sync()
        let sites = [north, south, east]
        for site in sites { _ = try site.addPatient("Own \(site.name.capitalized)", mrn: "O-\(site.name)") }
        // Rounds of writes at every site, each site syncing through its own instance at the same time.
        for round in 0..<6 {
            for site in sites {
                try site.store().append((0..<150).map { EventDraft(patient: shared, payload: .noteAdded(NoteAdded(text: "\(site.name) round \(round) note \($0)"))) })
            }
            let processes = try sites.map { try startSync($0.home) }
            for process in processes { process.waitUntilExit() }
        }
        for _ in 0..<2 { for site in sites { try site.sync() } }
        let onServer = try first.eventIDs(patient: shared)
        #expect(onServer.count == 3 + 3 * 6 * 150)
        #expect(Set(onServer).count == onServer.count)
        for site in sites {
            #expect(try site.eventIDs(patient: shared) == Set(onServer), "\(site.name) differs from the server")
            #expect(try site.store().syncState.outboxCount() == 0)
        }
        // Positions were handed out in commit order: no gaps in the sequence or the log.
        #expect(try first.query("SELECT count(*) = max(seq) FROM events") == ["t"])
        #expect(try first.query("SELECT count(*) = max(position) + 1 FROM audit_log") == ["t"])
        let verify = try first.admin("audit", "verify")
        #expect(verify.stdout.contains("The audit log is intact"), "\(verify.stdout)")
    }

    @Test("the same events pushed through two instances at the same moment are stored once and acknowledged by both",
          arguments: ServerBackend.postgresIfConfigured)
    func concurrentDuplicatePushes(backend: ServerBackend) throws {
        let folder = TemporaryDirectory("pg-duplicates")
        defer { folder.remove() }
        let first = try ServerProcess(folder, backend: backend)
        let second = try ServerProcess(sharingDatabaseOf: first)
        let north = try TestSite("north", server: first, folder: folder)
        let patient = try north.addPatient("Dana Double", mrn: "D1")
        try north.store().append((0..<3_000).map { EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "note \($0)"))) })
        // A copy of the store with the same outbox, pushing through the other instance under the same credential.
        let twin = folder.path("site-north-twin")
        try FileManager.default.copyItem(at: north.home, to: twin)
        #expect(try Run.accord(["remote", "add", second.url, "--credential", north.credential, "--new-server"], store: twin).status == 0)
        let processes = try [north.home, twin].map(startSync)
        for process in processes { process.waitUntilExit() }
        #expect(processes.allSatisfy { $0.terminationStatus == 0 })
        let onServer = try first.eventIDs(patient: patient)
        #expect(onServer.count == 3_001)
        #expect(Set(onServer).count == onServer.count)
        #expect(try north.store().syncState.outboxCount() == 0)
        #expect(try EventStore.open(at: twin).syncState.outboxCount() == 0)
        #expect(try first.admin("audit", "verify").status == 0)
    }

    @Test("migrate copies a SQLite server database to PostgreSQL, proves it with audit verify, and sites carry on against it",
          arguments: ServerBackend.postgresIfConfigured)
    func migrateFromSQLite(backend: ServerBackend) throws {
        let folder = TemporaryDirectory("pg-migrate")
        defer { folder.remove() }
        let old = try ServerProcess(folder, backend: .sqlite)
        let north = try TestSite("north", server: old, folder: folder)
        let south = try TestSite("south", server: old, folder: folder)
        let patient = try north.addPatient("Mia Migrated", mrn: "M1")
        #expect(try north.run("patient", "share", "--patient", patient, "--site", "south").status == 0)
        #expect(try north.run("consent", "--patient", patient, "--discussed", "all", "--decision", "accepts", "--naloxone", "offered").status == 0)
        try north.store().append((0..<500).map { EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "before \($0)"))) })
        try north.sync(); try south.sync()
        old.stop()
        let before = try old.eventIDs(), patientBefore = try old.eventIDs(patient: patient)
        let target = try PostgresTestDatabase.create()
        defer { PostgresTestDatabase.drop(target) }
        let withoutKey = try Run.process(Paths.executable("accord-server"), ["migrate", "--from", old.database.path, "--to", target])
        #expect(withoutKey.status != 0)
        #expect(withoutKey.stderr.contains("signing key"), "\(withoutKey.stderr)")
        let copy = try Run.process(Paths.executable("accord-server"), ["migrate", "--from", old.database.path, "--to", target, "--signing-key", old.signingKey.path])
        #expect(copy.status == 0, "\(copy.stdout)\(copy.stderr)")
        #expect(copy.stdout.contains("Copied and verified"))
        #expect(copy.stdout.contains("events: \(before.count) rows copied"))
        #expect(!copy.stderr.contains("\r"), "progress into a file or a pipe has no carriage returns")
        // A second copy into the same database is refused, and nothing is written.
        let again = try Run.process(Paths.executable("accord-server"), ["migrate", "--from", old.database.path, "--to", target, "--signing-key", old.signingKey.path])
        #expect(again.status != 0)
        #expect(again.stderr.contains("already holds data"))
        #expect(try PostgresTestDatabase.psql(target, "SELECT count(*) FROM events") == ["\(before.count)"])
        // The server on PostgreSQL with the same signing key: the sites' pinned key and log checks still hold.
        let new = try ServerProcess(migratedTo: target, from: old)
        #expect(try new.eventIDs() == before)
        for site in [north, south] {
            #expect(try site.run("remote", "add", new.url, "--credential", site.credential, "--new-server").status == 0)
        }
        try north.store().append((0..<50).map { EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "after \($0)"))) })
        let pushed = try north.sync()
        #expect(pushed.stdout.contains("Server audit log verified"), "\(pushed.stdout)")
        try south.sync()
        #expect(try south.eventIDs(patient: patient) == Set(try new.eventIDs(patient: patient)))
        #expect(try new.eventIDs(patient: patient).count == patientBefore.count + 50)
        #expect(try new.admin("audit", "verify").stdout.contains("The audit log is intact"))
    }

    @Test("a PostgreSQL database with event ids as hex text is upgraded in place when the server starts: same ids, proofs served, audit intact",
          arguments: ServerBackend.postgresIfConfigured)
    func upgradeIDsInPlace(backend: ServerBackend) throws {
        let folder = TemporaryDirectory("pg-upgrade")
        defer { folder.remove() }
        let server = try ServerProcess(folder, backend: backend)
        let north = try TestSite("north", server: server, folder: folder)
        let patient = try north.addPatient("Una Upgrade", mrn: "U1")
        try north.store().append((0..<300).map { EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "before \($0)"))) })
        try north.sync()
        server.stop()
        let before = try server.eventIDs()
        let idType = "SELECT data_type FROM information_schema.columns WHERE table_name = 'events' AND column_name = 'id'"
        // Back to the shape migrations 0001 and 0002 left (ids as 64 hex digits); 0003 and the later ones then run on it.
        _ = try PostgresTestDatabase.psql(server.location, """
            DROP TABLE cosignatures;
            DROP TABLE witnesses;
            ALTER TABLE events DROP CONSTRAINT events_id_check;
            ALTER TABLE events ALTER COLUMN id TYPE TEXT USING encode(id, 'hex');
            ALTER TABLE events ADD CONSTRAINT events_id_check CHECK (length(id) = 64);
            DELETE FROM schema_migrations WHERE name >= '0003';
            """)
        #expect(try PostgresTestDatabase.psql(server.location, idType) == ["text"])
        try server.restart()
        #expect(try PostgresTestDatabase.psql(server.location, idType) == ["bytea"])
        #expect(try server.eventIDs() == before)
        #expect(try north.run("verify", "--patient", patient).status == 0, "inclusion proofs are served for the upgraded events")
        try north.store().append((0..<20).map { EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "after \($0)"))) })
        #expect(try north.sync().stdout.contains("Server audit log verified"))
        #expect(try server.eventIDs().count == before.count + 20)
        #expect(try server.admin("audit", "verify").stdout.contains("The audit log is intact"))
    }

    @Test("the tree's kept hashes are read with one index range scan per subtree, never a scan of the whole tree",
          arguments: ServerBackend.postgresIfConfigured)
    func subtreeHashesUseTheIndex(backend: ServerBackend) throws {
        let folder = TemporaryDirectory("pg-plan")
        defer { folder.remove() }
        let server = try ServerProcess.stopped(folder, backend: backend)
        // A tree of 120,000 entries at the kept heights; with the statistics of a big table, a join the planner may
        // flatten is planned as a hash join over every row (it took 37-47 ms a proof at this size).
        try PostgresTestDatabase.psql(server.location, """
            INSERT INTO merkle_nodes (height, idx, hash)
            SELECT h, i, sha256(int8send(i)) FROM (VALUES (0, 120000), (4, 7500), (8, 468), (12, 29), (16, 1)) AS t(h, n), generate_series(0, n - 1) AS i;
            ANALYZE merkle_nodes;
            """)
        // The subtrees a consistency proof from 102,000 to 102,108 entries asks for.
        let plan = try PostgresTestDatabase.psql(server.location, """
            PREPARE subtrees(BIGINT[], BIGINT[], BIGINT[]) AS \(PostgresAuditLog.subtreeHashesSQL);
            EXPLAIN EXECUTE subtrees('{4,4,4,4,4,4,0,0,8,8,8,12,16}', '{6374,6375,6372,6368,6376,6380,102096,102104,396,392,384,16,0}',
                                     '{6375,6376,6374,6372,6380,6381,102104,102108,398,396,392,24,1}');
            """).joined(separator: "\n")
        #expect(plan.contains("Index Scan using merkle_nodes_pkey"), "\(plan)")
        #expect(!plan.contains("Seq Scan on merkle_nodes") && !plan.contains("Hash Join"), "\(plan)")
    }

    @Test("each prepared statement has a name of its own that PostgreSQL keeps whole")
    func preparedStatementNames() {
        let names = [Prepared<PostgresSyncRepository.InsertEvents>.name, Prepared<PostgresSyncRepository.InsertFeed>.name,
                     Prepared<PostgresSyncRepository.StoredSeqs>.name, Prepared<PostgresSyncRepository.CareTeams>.name,
                     Prepared<PostgresSyncRepository.AuthorSites>.name, Prepared<PostgresSyncRepository.LastSeq>.name,
                     Prepared<PostgresAuditLog.InsertEntries>.name, Prepared<PostgresAuditLog.InsertNodes>.name]
        #expect(Set(names).count == names.count)
        #expect(names.allSatisfy { $0.utf8.count <= 63 })  // PostgreSQL cuts identifiers at 63 bytes
    }

    @Test("a pull page reads the feed's index in order and stops at the limit, even before PostgreSQL has analyzed a feed that grew fast",
          arguments: ServerBackend.postgresIfConfigured)
    func pullPageUsesTheFeedIndex(backend: ServerBackend) throws {
        let folder = TemporaryDirectory("pg-pull-plan")
        defer { folder.remove() }
        let server = try ServerProcess.stopped(folder, backend: backend)
        // 50,000 events in the feeds of two sites, never analyzed: as after a new server's first big pushes.
        try PostgresTestDatabase.psql(server.location, """
            ALTER TABLE events SET (autovacuum_enabled = false);
            ALTER TABLE feed SET (autovacuum_enabled = false);
            INSERT INTO events (seq, id, patient, site, type, hlc_wall, hlc_logical, body, received_at)
            SELECT i, sha256(int8send(i)), 'patient', 'site-a', 'note.added', i, 0, '\\x7b7d', '2026-12-02T00:00:00.000Z'
            FROM generate_series(1, 50000) AS i;
            INSERT INTO feed (site, event_seq) SELECT s, i FROM generate_series(1, 50000) AS i, (VALUES ('site-a'), ('site-b')) AS v(s) ORDER BY i, s;
            """)
        func plan(_ settings: String) throws -> String {
            try PostgresTestDatabase.psql(server.location, """
                BEGIN; \(settings)
                PREPARE page(TEXT, BIGINT, BIGINT) AS \(PostgresSyncRepository.pullPage(site: "", after: 0, limit: 0).sql);
                EXPLAIN EXECUTE page('site-b', 20000, 1001);
                ROLLBACK;
                """).joined(separator: "\n")
        }
        // Left to its guesses, the planner reads every row after the cursor and sorts them; the test shows it still does.
        #expect(try plan("").contains("Bitmap Heap Scan on feed"))
        let held = try plan(PostgresSyncRepository.pullPlanSettings.sql + ";")
        #expect(held.contains("Index Scan using feed_by_site on feed") && !held.contains("Sort"), "\(held)")
    }

    @Test("PostgreSQL restarted mid-push: the site is told to retry, nothing acknowledged is lost, the server reconnects by itself",
          arguments: ServerBackend.postgresIfConfigured)
    func connectionLoss(backend: ServerBackend) async throws {
        let folder = TemporaryDirectory("pg-restart")
        defer { folder.remove() }
        // A cluster of its own: restarting the shared one would pull the floor from under the tests running beside.
        let cluster = PrivateCluster(folder: folder.path("cluster"))
        let admin = try cluster.start()
        defer { cluster.stop() }
        let server = try ServerProcess(folder, backend: backend, postgresAdminURL: admin)
        let north = try TestSite("north", server: server, folder: folder)
        let patient = try north.addPatient("Rita Restart", mrn: "R1")
        try await north.store().append((0..<8_000).map { EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "note \($0)"))) })
        // Another session holds the server's write lock, so the push waits inside its transaction; the restart
        // then ends that transaction under it: a push lost mid-way, every time.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        holder.arguments = [PostgresTestDatabase.libpq(server.location), "-Xq", "-c", "SELECT pg_advisory_lock(4711718965471346689), pg_sleep(120)"]
        holder.standardOutput = FileHandle.nullDevice
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        try waitFor("the lock holder") { try PostgresTestDatabase.psql(server.location, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").first != "0" }
        let sync = Process()
        sync.executableURL = Paths.executable("accord")
        sync.arguments = ["sync", "--store", north.home.path]
        let output = folder.path("sync-output.txt")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        sync.standardOutput = try FileHandle(forWritingTo: output)
        sync.standardError = sync.standardOutput
        try sync.run()
        try waitFor("a push waiting for the lock") {
            try PostgresTestDatabase.psql(server.location, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").first != "0"
        }
        try cluster.restart()
        holder.waitUntilExit()
        sync.waitUntilExit()
        #expect(server.process?.isRunning == true, "the server must survive the database restart")
        try north.sync()
        let onServer = try server.eventIDs(patient: patient)
        #expect(onServer.count == 8_001)
        #expect(Set(onServer).count == onServer.count)
        #expect(try north.store().syncState.outboxCount() == 0)
        #expect(try server.admin("audit", "verify").status == 0)
        let log = (try? String(contentsOf: server.log, encoding: .utf8)) ?? ""
        // Known defect: under load the killed request sometimes gets no error from postgres-nio and waits until the
        // site's 30 s timeout instead of a 503; the site then retries and nothing is lost (checked above).
        withKnownIssue("a request on a killed connection can wait for the site's timeout instead of answering 503", isIntermittent: true) {
            #expect(log.contains("database unavailable"), "the restart must have hit a request: \(log.suffix(2000))")
        }
        #expect(!log.contains("Rita"), "no patient data in the server's log")
        // With the database down, a request is answered 503 within the lease timeout instead of hanging.
        cluster.stop()
        let started = Date()
        let down = try await HTTP.send("GET", server.url + "/v1/events?after=0", credential: north.credential)
        #expect(down.status == 503)
        #expect(String(decoding: down.body, as: UTF8.self).contains("storage-unavailable"))
        #expect(Date().timeIntervalSince(started) < 20)
    }

    /// Polls `condition` every 50 ms for up to 30 s.
    func waitFor(_ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ServerError("timed out waiting for \(what)")
    }
}

/// A throw-away cluster in a test's own folder, through `scripts/pg-test-cluster`.
struct PrivateCluster {
    let folder: URL

    func run(_ command: String) throws -> ProcessResult {
        try Run.process(Paths.packageRoot.appendingPathComponent("scripts/pg-test-cluster"), [command],
                        environment: ["ACCORD_PG_CLUSTER_DIR": folder.path])
    }

    /// Starts the cluster and returns its admin URL.
    func start() throws -> String {
        let result = try run("start")
        guard result.status == 0 else { throw ServerError("the private cluster did not start: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func restart() throws {
        let result = try run("restart")
        guard result.status == 0 else { throw ServerError("the private cluster did not restart: \(result.stderr)") }
    }

    func stop() { _ = try? run("stop") }
}
