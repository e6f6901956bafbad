import AccordKit
import AccordSyncClient
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The sync client against a fake transport: what it asks for, in what order, and that a cancelled sync stops.
@Suite("Sync client over a fake transport")
struct SyncTransportTests {
    /// Answers every request as the test says, and records what was asked.
    final class FakeTransport: SyncTransport, @unchecked Sendable {
        private let lock = NSLock()
        private var asked: [URLRequest] = []
        let answer: @Sendable (URLRequest) async throws -> SyncReply

        init(answer: @escaping @Sendable (URLRequest) async throws -> SyncReply) { self.answer = answer }

        var requests: [URLRequest] { lock.withLock { asked } }

        func send(_ request: URLRequest) async throws -> SyncReply {
            lock.withLock { asked.append(request) }
            return try await answer(request)
        }
    }

    func store() throws -> EventStore {
        let store = try EventStore.inMemory(site: "north", clinicianName: "Dr. Fake")
        try store.setRemote(url: "http://127.0.0.1:9/", credential: "secret")
        return store
    }

    @Test("a server that refuses the credential stops the sync with its message, and nothing is sent twice")
    func refused() async throws {
        let store = try store()
        _ = try await Clinic(store: store).registerPatient(name: "F", born: LocalDate("1980-01-01")!)
        let transport = FakeTransport { _ in SyncReply(status: 401, body: Data(#"{"error":"unauthorized","message":"the credential is not valid"}"#.utf8)) }
        await #expect(throws: (any Error).self) { try await SyncClient(store: store, transport: transport, attempts: 1).sync() }
        #expect(!transport.requests.isEmpty)
        #expect(transport.requests.allSatisfy { $0.value(forHTTPHeaderField: "Authorization") == "Bearer secret" })
        #expect(try store.outboxCount() == 1, "nothing acknowledged, nothing lost")
    }

    @Test("cancelling the task that syncs stops it without waiting for the server")
    func cancelled() async throws {
        let store = try store()
        let transport = FakeTransport { _ in
            try await Task.sleep(for: .seconds(30))
            return SyncReply(status: 500)
        }
        let started = ContinuousClock.now
        let task = Task { try await SyncClient(store: store, transport: transport, attempts: 1).sync() }
        try await Task.sleep(for: .milliseconds(100))
        task.cancel()
        _ = await task.result
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
