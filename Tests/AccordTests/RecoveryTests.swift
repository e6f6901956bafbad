import AccordCore
import AccordKit
import AccordLog
import AccordStore
import AccordSync
import AccordSyncClient
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A server restored from a backup: the sites that saw the newer log refuse it without changing anything, and an
/// audited re-pin gives the server back every entry it lost.
@Suite("Recovery after a server rollback", .serialized)
struct RecoveryTests {
    /// Copies the stopped server's database (file and write-ahead log) to `copy`, or back from it.
    func copyDatabase(_ server: ServerProcess, to copy: URL, restore: Bool = false) throws {
        let (from, to) = restore ? (copy.path, server.database.path) : (server.database.path, copy.path)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: to + suffix) }
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: from + suffix) {
            try FileManager.default.copyItem(atPath: from + suffix, toPath: to + suffix)
        }
    }

    /// What a failed sync must leave as it was: entries, outbox, cursor and pinned checkpoint.
    func state(_ site: TestSite) throws -> [String] {
        let store = try site.store()
        let log = try store.syncState.logState()
        return ["\(try store.patients().map(\.id).flatMap { try store.events(patient: $0) }.count)", "\(try store.syncState.outboxCount())",
                "\(try store.syncState.remote()?.cursor ?? -1)", log.checkpoint ?? "", log.serverKey ?? ""]
    }

    @Test("rolled back under sites that saw the newer log: sync refuses and changes nothing; repin shows both checkpoints, is audited, and re-sends what was lost")
    func rollbackAndRepin() throws {
        let folder = TemporaryDirectory("rollback")
        defer { folder.remove() }
        let (server, north, south) = try northAndSouth(folder, backend: .sqlite)
        let east = try TestSite("east", server: server, folder: folder)
        let patient = try north.addPatient("Jane Park", mrn: "J1")
        try north.run("patient", "share", "--patient", "J1", "--site", "south")
        try north.run("patient", "share", "--patient", "J1", "--site", "east")
        try north.sync(); try south.sync(); try east.sync()

        // The backup is taken; north then writes and both north and south see the newer log.
        server.stop()
        let backup = folder.path("backup.sqlite")
        try copyDatabase(server, to: backup)
        try server.restart()
        try north.run("goal", "add", "--patient", "J1", "--text", "walk to the mailbox")
        try north.run("note", "--patient", "J1", "--text", "seen before the restore")
        try north.sync(); try south.sync()
        let lost = try north.eventIDs(patient: patient).subtracting(try server.eventIDs(patient: patient))
        #expect(lost.isEmpty)

        // The server is restored from the backup: those two entries are gone from it.
        server.stop()
        try copyDatabase(server, to: backup, restore: true)
        try server.restart()
        #expect(try north.eventIDs(patient: patient).subtracting(try server.eventIDs(patient: patient)).count == 2)
        try north.run("note", "--patient", "J1", "--text", "written after the restore")
        for site in [north, south] {
            let before = try state(site)
            let refused = try site.run("sync")
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("AUDIT LOG CHECK FAILED") && refused.stderr.contains("rolled back"), "\(refused.stderr)")
            #expect(refused.stderr.contains("accord remote repin"), "the message says what to do")
            #expect(try state(site) == before, "\(site.name): nothing in the store changed")
        }
        // A site whose last check predates the backup sees a log that extends it, and syncs as usual.
        try east.sync()

        // Shown first, changing nothing.
        let before = try state(north)
        let preview = try north.run("remote", "repin")
        #expect(preview.status == 0)
        #expect(preview.stdout.contains("Pinned here (verified last):") && preview.stdout.contains("Served now:"), "\(preview.stdout)")
        #expect(try state(north) == before)

        let repinned = try north.run("remote", "repin", "--confirm")
        #expect(repinned.status == 0, "\(repinned.stderr)")
        #expect(repinned.stdout.contains("Re-sent 3 entries the server no longer held"), "\(repinned.stdout)")
        #expect(try Set(server.eventIDs(patient: patient)) == (try north.eventIDs(patient: patient)))
        let repins = try server.query("SELECT CAST(entry AS TEXT) FROM audit_log WHERE kind = 'log.repinned'")
        #expect(repins.count == 1 && repins[0].contains("re-pinned the log from size") && repins[0].contains("Dr. North"), "\(repins)")
        #expect(try server.admin("audit", "verify").status == 0)

        // South re-pins too (it wrote nothing that was lost) and every site converges.
        let southRepin = try south.run("remote", "repin", "--confirm")
        #expect(southRepin.status == 0 && southRepin.stdout.contains("Re-sent 0 entries"), "\(southRepin.stdout)\(southRepin.stderr)")
        try east.sync()
        for site in [south, east] { #expect(try site.eventIDs(patient: patient) == north.eventIDs(patient: patient), "\(site.name)") }
        for site in [north, south, east] { #expect(try site.sync().stdout.contains("received 0.") ) }
    }

    @Test("repin without a server, or with nothing to pin, says what is wrong and changes nothing")
    func repinFailures() throws {
        let folder = TemporaryDirectory("repin-bad")
        defer { folder.remove() }
        let home = folder.path("lonely")
        #expect(try Run.accord(["init", "--site", "north", "--clinician", "Dr. Lone"], store: home).status == 0)
        let none = try Run.accord(["remote", "repin", "--confirm"], store: home)
        #expect(none.status != 0 && none.stderr.contains("accord remote add"), "\(none.stderr)")
    }
}

/// A server restored from a backup while a sync runs: the check at the end of the sync catches it, and a re-pin
/// gives the server back what it lost.
@Suite("Recovery: a rollback in the middle of a sync", .serialized)
struct MidSyncRollbackTests {
    /// Passes requests to the real server; before the first request to `path` with `method`, runs `rollBack` once.
    final class RollingBackTransport: SyncTransport, @unchecked Sendable {
        let lock = NSLock()
        var done = false
        let method: String, path: String
        let rollBack: @Sendable () throws -> Void
        let real = URLSessionTransport()

        init(method: String, path: String, rollBack: @escaping @Sendable () throws -> Void) {
            self.method = method; self.path = path; self.rollBack = rollBack
        }

        func send(_ request: URLRequest) async throws -> SyncReply {
            let now = lock.withLock { () -> Bool in
                guard !done, request.httpMethod ?? "GET" == method, request.url?.path == path else { return false }
                done = true
                return true
            }
            if now { try rollBack() }
            return try await real.send(request)
        }
    }

    /// Rolled back before the push, the push's own answer (or the check after it) shows the smaller log and this sync
    /// fails. Rolled back after the push was acknowledged, the push's answer already pinned the log that held its
    /// events, and the next sync's first check catches the rollback before anything is sent or stored.
    @Test("rolled back before the push or before the pull: the sync that meets it fails, says so truthfully, and repin recovers",
          arguments: ["POST", "GET"])
    func midSync(method: String) async throws {
        let folder = TemporaryDirectory("mid-sync")
        defer { folder.remove() }
        let server = try ServerProcess(folder, backend: .sqlite)
        let credential = try server.addSite("north")
        let north = Clinic(store: try EventStore.inMemory(site: "north", clinicianName: "Dr. North"))
        try north.connect(server: URL(string: server.url)!, credential: credential)
        let patient = try await north.registerPatient(name: "Jane Park", born: LocalDate("1960-01-01")!).patient
        _ = try await north.sync()
        server.stop()
        let backup = folder.path("backup.sqlite")
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: server.database.path + suffix) {
            try FileManager.default.copyItem(atPath: server.database.path + suffix, toPath: backup.path + suffix)
        }
        try server.restart()
        _ = try await north.addNote(try north.chart(patient), text: "lost in the restore")
        _ = try await north.sync()
        _ = try await north.addNote(try north.chart(patient), text: "sent while the server was restored")
        let pinned = try north.store.syncState.logState()

        let transport = RollingBackTransport(method: method, path: SyncWire.eventsPath) {
            server.stop()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: server.database.path + suffix) }
            for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: backup.path + suffix) {
                try FileManager.default.copyItem(atPath: backup.path + suffix, toPath: server.database.path + suffix)
            }
            try server.restart()
        }
        do {
            _ = try await SyncClient(store: north.store, transport: transport).sync()
            #expect(method == "GET", "the sync passed a log rolled back before its push")
            _ = try await SyncClient(store: north.store).sync()
            Issue.record("the sync after the restore passed a rolled-back log")
        } catch let error as SyncError {
            #expect(error.code == .auditLogFailed)
            if method == "POST" {
                #expect(error.description.contains("changed while this sync ran") && !error.description.contains("Nothing was sent"), "\(error.description)")
            } else {
                #expect(error.description.contains("went back") && error.description.contains("Nothing was sent or stored"), "\(error.description)")
            }
        }
        // The pin stays on a good checkpoint (the start-of-sync check may have moved it forward), never the rolled-back one.
        func size(_ text: String?) throws -> Int { try JSONDecoder().decode(Checkpoint.self, from: Data((text ?? "").utf8)).size }
        let after = try north.store.syncState.logState()
        let (sizeAfter, sizeBefore) = (try size(after.checkpoint), try size(pinned.checkpoint))
        #expect(after.serverKey == pinned.serverKey && sizeAfter >= sizeBefore)
        let report = try await north.repin(try await north.repinPlan())
        #expect(report.complete)
        #expect(Set(try server.eventIDs(patient: patient)) == Set(try north.store.events(patient: patient).map(\.id.hex)))
        #expect(try server.admin("audit", "verify").status == 0)
    }
}
