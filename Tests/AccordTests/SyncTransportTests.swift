import AccordKit
import AccordSyncClient
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The sync client against a fake transport: what it asks for, in what order, and that a cancelled sync stops.
@Suite("The sync client: fake transport, one sync at a time, progress")
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
        try store.syncState.setRemote(url: "http://127.0.0.1:9/", credential: "secret")
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
        #expect(try store.syncState.outboxCount() == 1, "nothing acknowledged, nothing lost")
    }

    /// A credential kept outside the store, as an app's Keychain would keep it.
    struct KeychainLike: SyncCredentialStore {
        func credential(server: String) throws -> String? { server.hasPrefix("http://127.0.0.1:9") ? "from-keychain" : nil }
    }

    @Test("the credential comes from the credential store given, not the store's column; none at all is refused before any request")
    func credentials() async throws {
        let store = try store()
        _ = try await Clinic(store: store).registerPatient(name: "K", born: LocalDate("1980-01-01")!)
        let transport = FakeTransport { _ in SyncReply(status: 401, body: Data(#"{"error":"unauthorized","message":"no"}"#.utf8)) }
        await #expect(throws: SyncError.self) { try await SyncClient(store: store, transport: transport, credentials: KeychainLike(), attempts: 1).sync() }
        #expect(!transport.requests.isEmpty)
        #expect(transport.requests.allSatisfy { $0.value(forHTTPHeaderField: "Authorization") == "Bearer from-keychain" })
        struct Nothing: SyncCredentialStore { func credential(server: String) throws -> String? { nil } }
        let silent = FakeTransport { _ in SyncReply(status: 500) }
        do {
            _ = try await SyncClient(store: store, transport: silent, credentials: Nothing(), attempts: 1).sync()
            Issue.record("synced without a credential")
        } catch let error as SyncError {
            #expect(error.code == .unauthorized)
        }
        #expect(silent.requests.isEmpty)
    }

    @Test("the server's log is checked before anything is pulled, even with nothing to send; a failed check stores nothing")
    func logCheckedFirst() async throws {
        let store = try store()
        // A site that has verified a checkpoint before, with nothing waiting to be sent.
        try store.syncState.setLogState(serverKey: Data(repeating: 7, count: 32).base64EncodedString(),
                                        checkpoint: #"{"size":5,"root":"00","at":"2026-01-01T00:00:00.000Z","signature":"AA==","key":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc="}"#)
        #expect(try store.syncState.outboxCount() == 0)
        let transport = FakeTransport { _ in SyncReply(status: 500) }
        await #expect(throws: SyncError.self) { try await SyncClient(store: store, transport: transport, attempts: 1).sync() }
        #expect(transport.requests.first?.url?.path == SyncWire.checkpointPath, "\(transport.requests.map { $0.url?.path ?? "" })")
        #expect(!transport.requests.contains { $0.url?.path == SyncWire.eventsPath })
        #expect(try store.syncState.remote()?.cursor == 0)
    }

    @Test("cancelling the task that syncs stops it at once, with nothing half-done", .timeLimit(.minutes(1)))
    func cancelled() async throws {
        let store = try store()
        _ = try await Clinic(store: store).registerPatient(name: "F", born: LocalDate("1980-01-01")!)
        let transport = FakeTransport { _ in
            try await Task.sleep(for: .seconds(3600))
            return SyncReply(status: 500)
        }
        let client = SyncClient(store: store, transport: transport, attempts: 1)
        let task = Task { try await client.sync() }
        while transport.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        task.cancel()
        let result = await task.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(try store.syncState.outboxCount() == 1)
    }

    @Test("one sync at a time: a second call joins the first; progress streams report done, total and fraction", arguments: ServerBackend.available)
    func oneAtATime(backend: ServerBackend) async throws {
        let folder = TemporaryDirectory("sync-actor")
        defer { folder.remove() }
        let server = try ServerProcess(folder, backend: backend)
        defer { server.stop() }
        let north = try TestSite("north", server: server, folder: folder)
        let store = try north.store()
        let patient = try north.addPatient("Pat Progress", mrn: "P1")
        try await store.append((0..<2_500).map { EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "note \($0)"))) })
        let client = SyncClient(store: store)
        let updates = await client.progressUpdates()
        async let first = client.sync()
        async let second = client.sync()
        let (a, b) = try await (first, second)
        #expect(a == b, "the second call waited for the first and got its report")
        #expect(a.pushed == 2_501)
        #expect(try server.eventIDs(patient: patient).count == 2_501, "each event stored once")
        var pushes: [SyncProgress] = []
        for await update in updates where update.phase == "pushed" {
            pushes.append(update)
            if update.fraction == 1 { break }
        }
        #expect(pushes.last?.done == 2_501 && pushes.last?.total == 2_501)
        #expect(pushes.map(\.done) == pushes.map(\.done).sorted())
    }
}
