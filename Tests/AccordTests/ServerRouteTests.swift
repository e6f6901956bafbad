import AccordCore
import AccordLog
import AccordServer
import AccordStore
import AccordSync
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The server's routes in-process (HummingbirdTesting's router client): no port, no process, the same
/// application the `accord-server` binary serves.
@Suite("Server routes in-process")
struct ServerRouteTests {
    func withServer(_ body: @escaping @Sendable (any TestClientProtocol, String) async throws -> Void) async throws {
        let folder = TemporaryDirectory("routes")
        defer { folder.remove() }
        let repository = try await ServerStorage.open(folder.path("server.sqlite").path, signingKey: folder.path("server.key").path)
        let credential = try await repository.addSite("north", now: 1_800_000_000_000)
        let app = try SyncServer.buildApplication(repository: repository, configuration: SyncServerConfiguration(), logger: Logger(label: "test"))
        try await app.test(.router) { client in try await body(client, credential) }
    }

    @Test("/health answers without a credential; every other route asks for one")
    func health() async throws {
        try await withServer { client, _ in
            try await client.execute(uri: SyncWire.healthPath, method: .get) { response in
                #expect(response.status == .ok)
            }
            for path in [SyncWire.eventsPath, SyncWire.checkpointPath, SyncWire.inclusionPath, SyncWire.consistencyPath] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .unauthorized, "\(path)")
                    let body = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
                    #expect(body.error == .unauthorized)
                }
            }
        }
    }

    @Test("a push with ?since=N answers with the signed checkpoint after it and the proof from N; a bad since stores nothing")
    func pushAnswersWithTheLog() async throws {
        try await withServer { client, credential in
            let store = try EventStore.inMemory(site: "north", clinicianName: "Dr. Route")
            let patient = Identifiers.make()
            let auth: HTTPFields = [.authorization: "Bearer \(credential)", .contentType: SyncWire.contentType]
            func push(_ text: String, query: String) async throws -> (HTTPResponse.Status, Data) {
                let event = try store.append(EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: text))))
                let body = SyncWire.pushBody([SyncWire.Item(id: event.id, bytes: event.bytes, signature: nil)])
                return try await client.execute(uri: SyncWire.eventsPath + query, method: .post, headers: auth, body: ByteBuffer(data: body)) { response in
                    (response.status, Data(buffer: response.body))
                }
            }
            let (_, plain) = try await push("no since", query: "")
            #expect(try JSONDecoder().decode(PushResponse.self, from: plain).log == nil, "without since, the answer is as before")
            let before = try await client.execute(uri: SyncWire.checkpointPath, method: .get, headers: [.authorization: "Bearer \(credential)"]) { response in
                try JSONDecoder().decode(Checkpoint.self, from: Data(buffer: response.body))
            }
            let (status, data) = try await push("with since", query: "?since=\(before.size)")
            #expect(status == .ok)
            let answer = try JSONDecoder().decode(PushResponse.self, from: data)
            let log = try #require(answer.log)
            #expect(log.checkpoint.size > before.size, "the checkpoint covers the entry this push added")
            #expect(log.consistency.verifies(old: before, new: log.checkpoint))
            // Past the log's size: stored, and the answer leaves the log out for the site's own check to report.
            let (_, beyond) = try await push("since too big", query: "?since=\(log.checkpoint.size + 100)")
            let far = try JSONDecoder().decode(PushResponse.self, from: beyond)
            #expect(far.accepted.count == 1 && far.log == nil)
            for bad in ["-1", "ten"] {
                let (status, body) = try await push("bad since \(bad)", query: "?since=\(bad)")
                #expect(status == .badRequest, "since=\(bad)")
                #expect(String(decoding: body, as: UTF8.self).contains("'since' must be a log size"))
            }
            try await client.execute(uri: SyncWire.eventsPath + "?after=0&limit=100", method: .get, headers: [.authorization: "Bearer \(credential)"]) { response in
                let texts = try SyncWire.pullEvents(Data(buffer: response.body)).compactMap { event -> String? in
                    if case .noteAdded(let note) = event.envelope.payload { return note.text } else { return nil }
                }
                #expect(texts == ["no since", "with since", "since too big"], "a refused since stored nothing")
            }
        }
    }

    @Test("a pushed event is acknowledged and logged; a malformed line is refused by code; the site's own events are not sent back")
    func pushAndPull() async throws {
        try await withServer { client, credential in
            let store = try EventStore.inMemory(site: "north", clinicianName: "Dr. Route")
            let patient = Identifiers.make()
            let event = try store.append(EventDraft(patient: patient, payload: .patientRegistered(PatientRegistered(name: "R", born: LocalDate("1970-01-01")!))))
            let storeHeader = HTTPField.Name(SyncWire.storeHeader)!
            let auth: HTTPFields = [.authorization: "Bearer \(credential)", .contentType: SyncWire.contentType, storeHeader: store.identity.storeID]
            let body = SyncWire.pushBody([SyncWire.Item(id: event.id, bytes: event.bytes, signature: nil)]) + Data("not an event\n".utf8)
            try await client.execute(uri: SyncWire.eventsPath, method: .post, headers: auth, body: ByteBuffer(data: body)) { response in
                #expect(response.status == .ok)
                let answer = try JSONDecoder().decode(PushResponse.self, from: Data(buffer: response.body))
                #expect(answer.accepted.map(\.id) == [event.id.hex])
                #expect(answer.rejected.map(\.code) == [.malformed])
            }
            // The store that pushed gets nothing back; another store of the site gets the event; a bad store id is a 400.
            try await client.execute(uri: SyncWire.eventsPath + "?after=0&limit=10", method: .get,
                                     headers: [.authorization: "Bearer \(credential)", storeHeader: store.identity.storeID]) { response in
                #expect(response.status == .ok)
                #expect(Data(buffer: response.body).isEmpty)
                #expect(response.headers[HTTPField.Name(SyncWire.cursorHeader)!] == "1", "the cursor moves past the store's own event")
            }
            try await client.execute(uri: SyncWire.eventsPath + "?after=0&limit=10", method: .get,
                                     headers: [.authorization: "Bearer \(credential)", storeHeader: Identifiers.make()]) { response in
                #expect(response.status == .ok)
                let pulled = try SyncWire.pullEvents(Data(buffer: response.body))
                #expect(pulled.map(\.id) == [event.id])
            }
            try await client.execute(uri: SyncWire.eventsPath, method: .get,
                                     headers: [.authorization: "Bearer \(credential)", storeHeader: "NOT A STORE"]) { response in
                #expect(response.status == .badRequest)
            }
            try await client.execute(uri: SyncWire.checkpointPath, method: .get, headers: [.authorization: "Bearer \(credential)"]) { response in
                #expect(response.status == .ok)
                let checkpoint = try JSONDecoder().decode(Checkpoint.self, from: Data(buffer: response.body))
                #expect(checkpoint.size >= 3, "the site's enrolment, the accepted event and the refused line are in the log")
            }
        }
    }
}
