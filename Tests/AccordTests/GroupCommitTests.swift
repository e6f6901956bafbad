@testable import AccordServer
import AccordCore
import AccordLog
import AccordSync
import Foundation
import Testing

@Suite("Group commit: writes that arrive together share one transaction and one checkpoint", .serialized)
struct GroupCommitTests {
    struct Refused: Error {}

    /// Holds a write inside its transaction until the test lets it go, so the writes that arrive meanwhile are sure to
    /// form the next group, however loaded the machine.
    final class Gate: @unchecked Sendable {
        private let lock = NSLock()
        private var holding = false, released = false
        var isHolding: Bool { lock.withLock { holding } }
        var isReleased: Bool { lock.withLock { released } }
        func markHolding() { lock.withLock { holding = true } }
        func release() { lock.withLock { released = true } }
    }

    /// Audit-log writes on either backend's repository, held open or failed on demand.
    struct Writer {
        let write: @Sendable (_ entries: [AuditEntry], _ gate: Gate?, _ fail: Bool) async throws -> Void
        let waiting: @Sendable () async -> Int
        let close: @Sendable () async -> Void

        static func open(_ server: ServerProcess) async throws -> Writer {
            let now = ServerClock.nowMilliseconds()
            switch server.backend {
            case .sqlite:
                let repository = try SQLiteSyncRepository(path: server.location, signingKeyPath: server.signingKey.path)
                return Writer(write: { entries, gate, fail in
                    try await repository.groupWrite { db, growth in
                        try SQLiteAuditLog.record(entries, db, growth: growth, now: now)
                        if let gate {
                            gate.markHolding()
                            while !gate.isReleased { Thread.sleep(forTimeInterval: 0.005) }
                        }
                        if fail { throw Refused() }
                    }
                }, waiting: { await repository.writes.waitingCount }, close: { await repository.close() })
            case .postgres:
                let repository = try await PostgresSyncRepository(url: server.location, signingKeyPath: server.signingKey.path)
                let logger = repository.logger
                return Writer(write: { entries, gate, fail in
                    try await repository.groupWrite { connection, growth in
                        try await PostgresAuditLog.record(entries, connection, logger, growth: growth, now: now)
                        if let gate {
                            gate.markHolding()
                            while !gate.isReleased { try await Task.sleep(for: .milliseconds(5)) }
                        }
                        if fail { throw Refused() }
                    }
                }, waiting: { await repository.writes.waitingCount }, close: { await repository.close() })
            }
        }
    }

    /// Waits for `condition`, up to 10 minutes: the tasks it waits on need the test runner's two cooperative threads,
    /// which other tests hold for minutes at a time when the whole suite runs at once (60 s ran out in a CI run).
    static func waitFor(_ condition: () async -> Bool) async throws {
        let deadline = Date().addingTimeInterval(600)
        while await !condition() {
            guard Date() < deadline else { throw ServerError("timed out waiting for the writes to queue") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Runs `body` on a fresh server database, again (up to three times in all) when PostgreSQL could not be leased
    /// in time: the in-process client shares the test runner's two cooperative threads with tests that block them,
    /// and a lease missed under that load says nothing about group commit. `body` makes its checks only after its
    /// writes, so a retried attempt has recorded none.
    static func withFreshDatabase(_ name: String, _ backend: ServerBackend, _ body: (ServerProcess, Writer) async throws -> Void) async throws {
        for attempt in 1...3 {
            let folder = TemporaryDirectory(name)
            defer { folder.remove() }
            let server = try ServerProcess.stopped(folder, backend: backend)
            do {
                let writer = try await Writer.open(server)
                try await body(server, writer)
                return
            } catch is StorageUnavailable where attempt < 3 {
                continue
            }
        }
    }

    static func entries(_ label: String, count: Int) -> [AuditEntry] {
        (0..<count).map { index in
            AuditEntry(position: 0, kind: .eventRefused, at: AuditEntry.stamp(ServerClock.nowMilliseconds()), site: "group-\(label)",
                       event: "\(label)-\(index)", outcome: "test", detail: "group commit test \(label)")
        }
    }

    /// A server database with its schema and signing key, as the server makes them; the server is stopped, so the
    /// test's repository is its only writer.
    static func count(_ table: String, in server: ServerProcess) throws -> Int {
        Int(try server.query("SELECT count(*) FROM \(table)")[0])!
    }

    @Test("writes that arrive while a group commits form the next group: each runs on its own, a failed one is undone alone, one checkpoint a group",
          arguments: ServerBackend.available)
    func grouped(backend: ServerBackend) async throws {
        try await Self.withFreshDatabase("group-commit", backend) { server, writer in
            let sizeBefore = try Self.count("audit_log", in: server), checkpointsBefore = try Self.count("checkpoints", in: server)
            // The first write holds the writer until the four others wait for it: those four then commit together.
            let gate = Gate()
            let first = Task { try await writer.write(Self.entries("first", count: 2), gate, false) }
            try await Self.waitFor { gate.isHolding }
            let second = Task { try await writer.write(Self.entries("second", count: 3), nil, false) }
            let refused = Task { try await writer.write(Self.entries("refused", count: 5), nil, true) }
            let third = Task { try await writer.write(Self.entries("third", count: 1), nil, false) }
            let fourth = Task { try await writer.write(Self.entries("fourth", count: 4), nil, false) }
            try await Self.waitFor { await writer.waiting() == 4 }
            gate.release()
            try await first.value
            try await second.value
            let refusal = await refused.result
            try await third.value
            try await fourth.value
            await writer.close()
            if case .failure(let error) = refusal, error is StorageUnavailable { throw error }

            #expect(throws: Refused.self) { try refusal.get() }
            // Every entry but the refused write's, in one unbroken sequence of positions; two checkpoints, one per group.
            let sites = try server.query("SELECT site FROM audit_log ORDER BY position").dropFirst(sizeBefore)
            #expect(!sites.contains("group-refused"), "the failed write's entries are undone")
            #expect(sites.count == 10, "2 + 3 + 1 + 4 entries")
            #expect(Set(sites) == ["group-first", "group-second", "group-third", "group-fourth"])
            let positions = try server.query("SELECT position FROM audit_log ORDER BY position").compactMap { Int($0) }
            #expect(positions == Array(0..<positions.count))
            let checkpoints = try server.query("SELECT size FROM checkpoints ORDER BY size").compactMap { Int($0) }
            #expect(checkpoints.count == checkpointsBefore + 2, "one checkpoint for each group, not for each write: \(checkpoints)")
            #expect(checkpoints.suffix(2) == [sizeBefore + 2, sizeBefore + 10])
            #expect(try server.admin("audit", "verify").stdout.contains("The audit log is intact"))
        }
    }

    @Test("a write that fails alone fails alone: a lone write has no savepoint, and its failure leaves the log as it was",
          arguments: ServerBackend.available)
    func loneFailure(backend: ServerBackend) async throws {
        try await Self.withFreshDatabase("group-commit-lone", backend) { server, writer in
            let before = try Self.count("audit_log", in: server), checkpointsBefore = try Self.count("checkpoints", in: server)
            let refusal = await Task { try await writer.write(Self.entries("refused", count: 3), nil, true) }.result
            if case .failure(let error) = refusal, error is StorageUnavailable { throw error }
            try await writer.write(Self.entries("after", count: 1), nil, false)
            await writer.close()
            #expect(throws: Refused.self) { try refusal.get() }
            #expect(try Self.count("audit_log", in: server) == before + 1)
            #expect(try Self.count("checkpoints", in: server) == checkpointsBefore + 1)
            #expect(try server.admin("audit", "verify").stdout.contains("The audit log is intact"))
        }
    }

    @Test("many sites pushing at once through a real server: every push acknowledged, each event stored once, each answer's checkpoint covering its own entries",
          arguments: ServerBackend.available)
    func concurrentPushes(backend: ServerBackend) async throws {
        let folder = TemporaryDirectory("group-commit-push")
        defer { folder.remove() }
        let server = try ServerProcess(folder, backend: backend, extraArguments: ["--rate-limit", "0"])
        let sites = 12, pushesEach = 5, batch = 4
        var pushers: [(credential: String, bodies: [Data], ids: [String])] = []
        for index in 0..<sites {
            let site = "load-\(index)"
            let credential = try server.addSite(site)
            let author = Author(id: Identifiers.make(), name: "Dr. Load \(index)")
            let patient = Identifiers.make()
            var wall = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
            var bodies: [Data] = [], ids: [String] = []
            for push in 0..<pushesEach {
                let events = try (0..<batch).map { item -> Event in
                    wall += 1
                    let payload: EventPayload = push == 0 && item == 0
                        ? .patientRegistered(PatientRegistered(name: "Load Patient", born: LocalDate("1960-01-01")!))
                        : .noteAdded(NoteAdded(text: "note \(push)-\(item)"))
                    return try Event(EventEnvelope(patient: patient, author: author, site: site, hlc: HLCTimestamp(wall: wall, logical: 0),
                                                   recorded: Timestamp.iso8601(epochMilliseconds: wall), parents: [], payload: payload))
                }
                ids += events.map(\.id.hex)
                bodies.append(SyncWire.pushBody(events))
            }
            pushers.append((credential, bodies, ids))
        }
        let url = server.url + SyncWire.eventsPath + "?since=0"
        let answers = try await withThrowingTaskGroup(of: [PushResponse].self) { group in
            for pusher in pushers {
                group.addTask {
                    var answers: [PushResponse] = []
                    for body in pusher.bodies {
                        let reply = try await HTTP.send("POST", url, credential: pusher.credential, body: body)
                        #expect(reply.status == 200, "\(String(decoding: reply.body, as: UTF8.self))")
                        answers.append(try JSONDecoder().decode(PushResponse.self, from: reply.body))
                    }
                    return answers
                }
            }
            var all: [PushResponse] = []
            for try await answers in group { all += answers }
            return all
        }
        #expect(answers.count == sites * pushesEach)
        for answer in answers {
            #expect(answer.rejected.isEmpty)
            #expect(answer.accepted.count == batch && answer.accepted.allSatisfy { !$0.duplicate })
        }
        // Each answer's checkpoint covers the log entries of its own push.
        let size = try Self.count("audit_log", in: server)
        let positions = Dictionary(uniqueKeysWithValues: try server.query("SELECT event_id || ' ' || position FROM audit_log WHERE event_id IS NOT NULL").map { line in
            let parts = line.split(separator: " ")
            return (String(parts[0]), Int(parts[1])!)
        })
        for answer in answers {
            let covered = answer.log?.checkpoint.size ?? 0
            let ownPositions = answer.accepted.map { positions[$0.id] ?? Int.max }
            #expect(covered <= size)
            #expect(ownPositions.allSatisfy { $0 < covered }, "the answer's checkpoint (size \(covered)) covers its own entries \(ownPositions)")
        }
        let stored = try server.eventIDs()
        #expect(stored.count == Set(stored).count)
        #expect(Set(stored) == Set(pushers.flatMap(\.ids)))
        #expect(try Self.count("checkpoints", in: server) <= size)
        #expect(try server.admin("audit", "verify").stdout.contains("The audit log is intact"))
    }
}
