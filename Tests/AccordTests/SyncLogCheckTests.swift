import AccordKit
import AccordLog
import AccordSync
import AccordSyncClient
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The audit-log checks of a sync against a real server: asked once at the start, carried back by the pushes, and
/// held to the same rules whichever way the checkpoint arrives.
@Suite("Sync: the log's checkpoint at the start and in the pushes' answers", .serialized)
struct SyncLogCheckTests {
    /// Passes requests to the real server, records them, and lets a test change the server's answer to a push.
    final class Relay: SyncTransport, @unchecked Sendable {
        private let lock = NSLock()
        private var asked: [String] = []
        let real = URLSessionTransport()
        let changePushAnswer: @Sendable (inout [String: Any]) -> Void

        init(changePushAnswer: @escaping @Sendable (inout [String: Any]) -> Void = { _ in }) { self.changePushAnswer = changePushAnswer }

        /// "METHOD path" of each request, in order, with the push's query.
        var requests: [String] { lock.withLock { asked } }

        func send(_ request: URLRequest) async throws -> SyncReply {
            let method = request.httpMethod ?? "GET", url = request.url!
            lock.withLock { asked.append("\(method) \(url.path)" + (method == "POST" && url.query != nil ? "?\(url.query!)" : "")) }
            var reply = try await real.send(request)
            if method == "POST", url.path == SyncWire.eventsPath, var answer = try JSONSerialization.jsonObject(with: reply.body) as? [String: Any] {
                changePushAnswer(&answer)
                reply.body = try JSONSerialization.data(withJSONObject: answer)
            }
            return reply
        }
    }

    /// A server with site north enrolled, and a clinic at north with one patient whose first syncs pinned the log and
    /// registered the clinician's key, approved since.
    struct North {
        let folder: TemporaryDirectory, server: ServerProcess, credential: String, clinic: Clinic, patient: String

        init(_ name: String, backend: ServerBackend = .sqlite) async throws {
            folder = TemporaryDirectory(name)
            server = try ServerProcess(folder, backend: backend)
            credential = try server.addSite("north")
            clinic = Clinic(store: try EventStore.inMemory(site: "north", clinicianName: "Dr. North"))
            try clinic.connect(server: URL(string: server.url)!, credential: credential)
            patient = try await clinic.registerPatient(name: "Jane Park", born: LocalDate("1960-01-01")!).patient
            let fingerprint = try #require(try await clinic.sync().keyFingerprint)
            _ = try server.admin("key", "approve", fingerprint)
            _ = try await clinic.sync()
        }

        func note(_ text: String) async throws { _ = try await clinic.addNote(try clinic.chart(patient), text: text) }

        func close() { server.stop(); folder.remove() }
    }

    func pinned(_ clinic: Clinic) throws -> Checkpoint {
        try JSONDecoder().decode(Checkpoint.self, from: Data((try clinic.store.syncState.logState().checkpoint ?? "").utf8))
    }

    func latest(_ server: ServerProcess, _ credential: String) async throws -> Checkpoint {
        try JSONDecoder().decode(Checkpoint.self, from: try await HTTP.send("GET", server.url + SyncWire.checkpointPath, credential: credential).body)
    }

    @Test("a sync that sends asks for the checkpoint once, at its start; its pushes bring back the one after them, which is pinned; a sync that only receives makes two requests",
          arguments: ServerBackend.available)
    func pushesCarryTheCheckpoint(backend: ServerBackend) async throws {
        let site = try await North("log-in-push", backend: backend)
        defer { site.close() }
        let (server, credential, north) = (site.server, site.credential, site.clinic)
        let before = try pinned(north)

        try await site.note("sent with the log in the answer")
        let relay = Relay()
        let report = try await SyncClient(store: north.store, transport: relay).sync()
        #expect(report.pushed == 1)
        #expect(relay.requests == ["GET \(SyncWire.checkpointPath)", "POST \(SyncWire.eventsPath)?since=\(before.size)", "GET \(SyncWire.eventsPath)"])
        let after = try pinned(north), served = try await latest(server, credential)
        #expect(after == served, "the checkpoint pinned is the server's latest, covering the note")
        #expect(after.size > before.size && report.logSize == after.size)

        let quiet = Relay()
        _ = try await SyncClient(store: north.store, transport: quiet).sync()
        #expect(quiet.requests == ["GET \(SyncWire.checkpointPath)", "GET \(SyncWire.eventsPath)"], "nothing sent: no check at the end")
        #expect(try server.admin("audit", "verify").status == 0)
    }

    @Test("only the batch that empties the outbox asks for the log; when the last batch could not know it was last, the checkpoint is asked for at the end")
    func onlyTheLastBatchAsks() async throws {
        let site = try await North("last-batch-asks")
        defer { site.close() }
        let north = site.clinic
        let (events, pull, checkpoint) = (SyncWire.eventsPath, "GET \(SyncWire.eventsPath)", "GET \(SyncWire.checkpointPath)")
        for count in 1...5 { try await site.note("note \(count) of 5") }
        let relay = Relay(), before = try pinned(north).size
        _ = try await SyncClient(store: north.store, transport: relay, batchSize: 2).sync()
        #expect(relay.requests == [checkpoint, "POST \(events)", "POST \(events)", "POST \(events)?since=\(before)", pull])
        // The pin is the checkpoint the last push answered: one entry per note after the start. The server may log
        // more after it (the pull's own entries, under load), so the served log is that size or larger.
        let pin = try pinned(north), served = try await latest(site.server, site.credential)
        #expect(pin.size == before + 5 && served.size >= pin.size, "pinned \(pin.size), served \(served.size), before \(before)")

        for count in 1...4 { try await site.note("note \(count) of 4") }
        let even = Relay()
        let report = try await SyncClient(store: north.store, transport: even, batchSize: 2).sync()
        #expect(even.requests == [checkpoint, "POST \(events)", "POST \(events)", pull, checkpoint], "two full batches: the end check asks")
        let size = try pinned(north).size
        #expect(report.pushed == 4 && report.logSize == size)
    }

    @Test("a push answer whose checkpoint is not the server's stops the sync at its end check; what was acknowledged stays sent, the pin stays",
          arguments: ["root", "consistency", "key"])
    func forgedAnswerIsCaught(forged: String) async throws {
        let site = try await North("forged-log")
        defer { site.close() }
        let north = site.clinic
        let before = try pinned(north)
        try await site.note("answered with a forged log")
        let relay = Relay { answer in
            guard var log = answer["log"] as? [String: Any], var checkpoint = log["checkpoint"] as? [String: Any],
                  var consistency = log["consistency"] as? [String: Any] else { return }
            switch forged {
            case "root": checkpoint["root"] = Data(repeating: 7, count: 32).base64EncodedString()
            case "consistency": consistency["proof"] = [Data(repeating: 1, count: 32).base64EncodedString()]
            default: checkpoint["key"] = Data(repeating: 2, count: 32).base64EncodedString()
            }
            log["checkpoint"] = checkpoint
            log["consistency"] = consistency
            answer["log"] = log
        }
        do {
            _ = try await SyncClient(store: north.store, transport: relay).sync()
            Issue.record("a forged checkpoint in a push answer was pinned")
        } catch let error as SyncError {
            #expect(error.code == .auditLogFailed)
            #expect(error.description.contains("changed while this sync ran"), "\(error.description)")
        }
        #expect(try pinned(north) == before, "the pin is not moved by an answer that does not check out")
        #expect(try north.store.syncState.outboxCount() == 0, "the note was acknowledged and stays sent")
        // With the server's own answers, the next sync passes.
        #expect(try await north.sync().complete)
    }

    @Test("the C2SP note is pinned with the checkpoint: an old pin without it takes it at the next sync; afterwards a checkpoint without it, or with a note of another log, stops the sync")
    func noteIsPinned() async throws {
        let site = try await North("note-pinned")
        defer { site.close() }
        let north = site.clinic
        let vkey = try NoteKey(encoded: site.server.admin("audit", "log-key").stdout)
        let first = try pinned(north)
        let note = try #require(first.note, "the first syncs pinned the note")
        #expect(try CheckpointNote.open(note, verifier: vkey).size == first.size)

        // A site that pinned before the open formats holds the JSON checkpoint alone: its next sync adds the note.
        var old = first
        old.note = nil
        try north.store.syncState.setLogState(serverKey: old.key, checkpoint: String(decoding: try JSONEncoder().encode(old), as: UTF8.self))
        try await site.note("after the upgrade")
        #expect(try await north.sync().complete)
        #expect(try pinned(north).noteMatches)

        // From then on, a checkpoint without the note, or with one that states another size, stops the sync.
        for (change, message) in [("drop", "without the signed note"), ("other", "does not verify or does not state the same size")] {
            try await site.note("note for \(change)")
            let relay = Relay { answer in
                guard var log = answer["log"] as? [String: Any], var checkpoint = log["checkpoint"] as? [String: Any] else { return }
                if change == "drop" {
                    checkpoint["note"] = nil
                } else if let text = checkpoint["note"] as? String, let size = checkpoint["size"] as? Int {
                    checkpoint["note"] = text.replacingOccurrences(of: "\n\(size)\n", with: "\n\(size + 1)\n")
                }
                log["checkpoint"] = checkpoint
                answer["log"] = log
            }
            do {
                _ = try await SyncClient(store: north.store, transport: relay).sync()
                Issue.record("\(change): the sync should have stopped")
            } catch let error as SyncError {
                #expect(error.code == .auditLogFailed && error.description.contains(message), "\(change): \(error.description)")
            }
            #expect(try pinned(north).noteMatches, "the pin is the start's checkpoint, never the answer that failed")
        }
        #expect(try await north.sync().complete, "with the server's own answers the next sync passes")
    }

    @Test("a server that leaves the checkpoint out of its push answers is asked for it at the end of the sync")
    func olderServerIsAskedAtTheEnd() async throws {
        let site = try await North("no-log-in-push")
        defer { site.close() }
        let (server, credential, north) = (site.server, site.credential, site.clinic)
        try await site.note("sent to a server of the previous version")
        let relay = Relay { answer in answer["log"] = nil }
        let report = try await SyncClient(store: north.store, transport: relay).sync()
        #expect(relay.requests.last == "GET \(SyncWire.checkpointPath)")
        let pin = try pinned(north), served = try await latest(server, credential)
        #expect(report.complete && report.logSize == pin.size)
        #expect(pin == served)
    }
}
