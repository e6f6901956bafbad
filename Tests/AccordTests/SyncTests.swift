import AccordCore
import AccordStore
import AccordSync
import Foundation
import Testing

/// Sites syncing through a real accord-server process on a loopback port.
@Suite("Sync between sites through accord-server", .serialized)
struct SyncTests {
    @Test("three sites, concurrent writes and sharing: every site ends with the server's log for its patients", arguments: ServerBackend.available)
    func convergence(backend: ServerBackend) throws {
        let folder = TemporaryDirectory("sync")
        defer { folder.remove() }
        let (server, north, south) = try northAndSouth(folder, backend: backend)
        let east = try TestSite("east", server: server, folder: folder)
        let shared = try north.addPatient("Jane Shared", mrn: "J1")
        let northOnly = try north.addPatient("Nora North", mrn: "N1")
        let southOnly = try south.addPatient("Sam South", mrn: "S1")
        try north.run("patient", "share", "--patient", "J1", "--site", "south")
        try north.run("patient", "share", "--patient", "J1", "--site", "east")
        try north.sync()
        try south.sync(); try east.sync()
        // Everyone writes to the shared patient while offline, then syncs in an interleaved order.
        for round in 0..<3 {
            try north.run("note", "--patient", "J1", "--text", "north note \(round)")
            try south.run("checkin", "--patient", "J1", "--peg", "\(round + 3),4,4")
            try east.run("note", "--patient", "J1", "--text", "east note \(round)")
            try south.run("note", "--patient", "S1", "--text", "private to south \(round)")
        }
        try east.sync(); try south.sync(); try north.sync(); try east.sync(); try south.sync()
        let expected = Set(try server.eventIDs(patient: shared))
        #expect(expected.count == 1 + 2 + 9)
        for site in [north, south, east] {
            #expect(try site.eventIDs(patient: shared) == expected, "\(site.name) differs from the server")
        }
        let records = try [north, south, east].map { try #require(try $0.store().record(patient: shared)) }
        #expect(records[0] == records[1] && records[1] == records[2])
        // Who sees what: a patient not shared stays at its site.
        #expect(try south.store().events(patient: northOnly).isEmpty)
        #expect(try north.store().events(patient: southOnly).isEmpty)
        #expect(try east.store().events(patient: southOnly).isEmpty)
        // Nothing duplicated: ids are unique on the server and a sync with nothing new moves nothing.
        #expect(Set(try server.eventIDs()).count == (try server.eventIDs()).count)
        let quiet = try north.sync()
        #expect(quiet.stdout.contains("Sent 0 event(s), received 0."))
    }

    @Test("an agreement amended at north and ended at south: both sides shown as recorded, sync reports it, keeping the amendment restores it everywhere",
          arguments: ServerBackend.available)
    func conflictsShownAndResolved(backend: ServerBackend) throws {
        let folder = TemporaryDirectory("conflict")
        defer { folder.remove() }
        let (server, north, south) = try northAndSouth(folder, backend: backend)
        defer { withExtendedLifetime(server) {} }  // the server process stops when its object goes
        _ = try north.addPatient("Jane", mrn: "J1")
        try north.run("goal", "add", "--patient", "J1", "--text", "garden for 10 minutes")
        try north.run("agreement", "sign", "--patient", "J1")
        try north.run("patient", "share", "--patient", "J1", "--site", "south")
        try north.sync(); try south.sync()
        try north.run("agreement", "amend", "--patient", "J1", "--clauses", "one-prescriber,one-pharmacy", "--reason", "pill counts instead")
        try north.run("goal", "revise", "--patient", "J1", "--goal", "1", "--text", "garden for 20 minutes")
        try south.run("agreement", "end", "--patient", "J1", "--reason", "moved away")
        try south.run("goal", "drop", "--patient", "J1", "--goal", "1", "--reason", "knee surgery")
        try north.sync()
        let reported = try south.sync().stdout
        #expect(reported.contains("2 conflict(s) open"), "\(reported)")
        #expect(reported.contains("Dr. North @ north") && reported.contains("Dr. South @ south"))
        // A sync that brings only a note, which changes no part of the record, does not read the record for
        // conflicts again; `accord conflicts` still lists them.
        try north.run("note", "--patient", "J1", "--text", "called about the garden")
        try north.sync()
        let noteOnly = try south.sync().stdout
        #expect(noteOnly.contains("received 1.") && !noteOnly.contains("conflict(s) open"), "\(noteOnly)")
        #expect(try south.run("conflicts").stdout.contains("garden for 10 minutes"))
        try north.sync()
        for site in [north, south] {
            let show = try site.run("patient", "show", "--patient", "J1").stdout
            #expect(show.contains("CONFLICTS"))
            #expect(show.contains("goal \"garden for 10 minutes\""), "named by its words: \(show)")
            #expect(show.contains("outcome: \"garden for 20 minutes\" [active]") && show.contains("outcome: \"garden for 10 minutes\" [dropped]"))
            #expect(!show.contains("garden for 20 minutes  [dropped]") && !show.contains("[ended] from"), "no blend of the sides: \(show)")
            #expect(show.contains("[active]") && show.contains("IN CONFLICT"))
            // A change to a part in conflict is refused until it is resolved.
            let refused = try site.run("agreement", "renew", "--patient", "J1")
            #expect(refused.status != 0 && refused.stderr.contains("resolve the conflict"), "\(refused.stderr)")
        }
        let conflicts = try JSONSerialization.jsonObject(with: Data(try south.run("conflicts", "--json").stdout.utf8)) as? [[String: Any]]
        let agreementConflict = try #require(conflicts?.first { (($0["conflict"] as? [String: Any])?["entity"] as? String)?.hasPrefix("agreement") == true })
        let sides = try #require((agreementConflict["conflict"] as? [String: Any])?["sides"] as? [[String: Any]])
        let amendment = try #require(sides.first { ($0["change"] as? String)?.contains("amended") == true }?["event"] as? String)
        let resolved = try south.run("conflicts", "resolve", "--patient", "J1", "--keep", String(amendment.prefix(12)), "--reason", "the patient stays")
        #expect(resolved.status == 0, "\(resolved.stderr)")
        try south.sync(); try north.sync()
        for site in [north, south] {
            let record = try #require(try site.store().record(patient: site.store().resolvePatient("J1").id))
            #expect(record.agreements.first?.status == .active)
            #expect(record.agreements.first?.clauses == ["one-prescriber", "one-pharmacy"])
            #expect(record.agreements.first?.versions.map(\.change) == ["signed", "amended", "conflict resolved"])
            #expect(record.conflicts.count == 1, "the goal is still open")
        }
        #expect(try north.run("patient", "show", "--patient", "J1").stdout.contains("Conflicts resolved"))
        #expect(try north.run("timeline", "--patient", "J1").stdout.contains("set-aside") )
    }

    @Test("credentials: missing, wrong and revoked get 401 on every route; /health is open", arguments: ServerBackend.available)
    func credentials(backend: ServerBackend) async throws {
        let folder = TemporaryDirectory("auth")
        defer { folder.remove() }
        let server = try ServerProcess(folder, backend: backend)
        let credential = try server.addSite("north")
        let routes = [("POST", "/v1/events"), ("GET", "/v1/events"), ("GET", "/v1/events?after=0")]
        for (method, path) in routes {
            for bad in [nil, "wrong", credential + "x", ""] as [String?] {
                let reply = try await HTTP.send(method, server.url + path, credential: bad, body: method == "POST" ? Data("x".utf8) : nil)
                #expect(reply.status == 401, "\(method) \(path) with \(bad ?? "none")")
                #expect(reply.headers["www-authenticate"] == "Bearer")
            }
        }
        #expect(try await HTTP.send("GET", server.url + "/v1/events", credential: credential).status == 200)
        try server.revokeSite("north")
        #expect(try await HTTP.send("GET", server.url + "/v1/events", credential: credential).status == 401)
        #expect(try await HTTP.send("GET", server.url + "/health").status == 200)
        let log = try String(contentsOf: server.log, encoding: .utf8)
        #expect(!log.contains(credential), "a credential was written to the log")
    }

    @Test("a site cannot read or write another site's patients, nor write as another site", arguments: ServerBackend.available)
    func crossSite(backend: ServerBackend) async throws {
        let folder = TemporaryDirectory("cross")
        defer { folder.remove() }
        let (server, north, south) = try northAndSouth(folder, backend: backend)
        let patient = try north.addPatient("Nora", mrn: "N1")
        try north.sync()
        let northEvents = try north.store().events(patient: patient)
        // South replays north's own events: refused, they were written at another site.
        let replay = try await HTTP.send("POST", server.url + "/v1/events", credential: south.credential, body: SyncWire.pushBody(northEvents))
        let replayed = try JSONDecoder().decode(PushResponse.self, from: replay.body)
        #expect(replayed.accepted.isEmpty && replayed.rejected.map(\.code) == ["wrong-site"])
        // South writes about north's patient without being in the care team: refused.
        let southStore = try south.store()
        try southStore.importEvents(northEvents)  // as if copied by hand
        let intrusion = try southStore.append(EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "not my patient"))))
        let pushed = try await HTTP.send("POST", server.url + "/v1/events", credential: south.credential, body: SyncWire.pushBody([intrusion]))
        #expect(try JSONDecoder().decode(PushResponse.self, from: pushed.body).rejected.map(\.code) == ["not-in-care-team"])
        let sync = try south.run("sync")
        #expect(sync.status != 0)
        #expect(sync.stdout.contains("not-in-care-team"))
        #expect(try southStore.syncState.refusedEvents().map(\.event) == [intrusion.id])
        // And a pull never carries north's patient to south.
        let pull = try await HTTP.send("GET", server.url + "/v1/events?after=0", credential: south.credential)
        #expect(try SyncWire.pullEvents(pull.body).allSatisfy { $0.envelope.patient != patient })
        #expect(try server.eventIDs(patient: patient).count == northEvents.count)
    }

    @Test("replayed pushes are acknowledged again and stored once; a repeated pull gives the same answer", arguments: ServerBackend.available)
    func replays(backend: ServerBackend) async throws {
        let folder = TemporaryDirectory("replay")
        defer { folder.remove() }
        let (server, north, south) = try northAndSouth(folder, backend: backend)
        let patient = try north.addPatient("Jane", mrn: "J1")
        try north.run("patient", "share", "--patient", "J1", "--site", "south")
        let events = try north.store().events(patient: patient)
        let body = SyncWire.pushBody(events)
        var first: PushResponse?
        for attempt in 1...5 {
            let reply = try await HTTP.send("POST", server.url + "/v1/events", credential: north.credential, body: body)
            let response = try JSONDecoder().decode(PushResponse.self, from: reply.body)
            #expect(response.accepted.count == events.count && response.rejected.isEmpty)
            #expect(response.accepted.allSatisfy { $0.duplicate == (attempt > 1) })
            if let first { #expect(first.accepted.map(\.seq) == response.accepted.map(\.seq)) } else { first = response }
        }
        #expect(try server.eventIDs().count == events.count)
        let pulls = try await [1, 2, 3].asyncMap { _ in try await HTTP.send("GET", server.url + "/v1/events?after=0", credential: south.credential) }
        #expect(Set(pulls.map(\.body)).count == 1)
        #expect(Set(pulls.map { $0.headers["accord-cursor"] ?? "" }).count == 1)
        #expect(try SyncWire.pullEvents(pulls[0].body).count == events.count)
    }

    @Test("an outbox of long notes bigger than one request's limit goes in several pushes, none refused", arguments: ServerBackend.available)
    func longNotesSplitByBytes(backend: ServerBackend) async throws {
        let folder = TemporaryDirectory("long-notes")
        defer { folder.remove() }
        let (server, north, south) = try northAndSouth(folder, backend: backend)
        let patient = try north.addPatient("Jane Long", mrn: "L1")
        try north.run("patient", "share", "--patient", "L1", "--site", "south")
        // 900 notes of the longest text allowed: well under the batch's event count, over its 8 MiB.
        let text = String(repeating: "Walked to the corner shop twice this week. ", count: EventRules.maximumTextLength / 43)
        let drafts = (0..<900).map { EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "\($0) " + text))) }
        try await north.store().append(drafts)
        let pushed = try north.sync()
        #expect(pushed.stdout.contains("Sent 902 event(s)"), "\(pushed.stdout)")
        // A pull page of these ends before 8 MiB, well short of the 5,000 events asked for.
        let page = try await HTTP.send("GET", server.url + "/v1/events?after=0&limit=5000", credential: south.credential)
        let pageEvents = try SyncWire.pullEvents(page.body)
        #expect(page.body.count <= SyncWire.maximumBodyBytes && pageEvents.count > 700 && pageEvents.count < 902)
        #expect(page.headers["accord-more"] == "true")
        try south.sync()
        #expect(try south.eventIDs(patient: patient) == Set(try server.eventIDs(patient: patient)))
        #expect(try south.eventIDs(patient: patient).count == 902)
    }

    @Test("bad requests: 413 past the limits, 400 for malformed input, refusals named line by line", arguments: ServerBackend.available)
    func limitsAndMalformed(backend: ServerBackend) async throws {
        let folder = TemporaryDirectory("limits")
        defer { folder.remove() }
        let server = try ServerProcess(folder, backend: backend)
        let north = try TestSite("north", server: server, folder: folder)
        let url = server.url + "/v1/events"
        let big = Data(repeating: UInt8(ascii: "a"), count: 9 * 1024 * 1024)
        #expect(try await HTTP.send("POST", url, credential: north.credential, body: big).status == 413)
        let manyLines = Data(String(repeating: String(repeating: "0", count: 64) + " {}\n", count: SyncWire.maximumBatch + 1).utf8)
        let tooMany = try await HTTP.send("POST", url, credential: north.credential, body: manyLines)
        #expect(tooMany.status == 413)
        #expect(String(decoding: tooMany.body, as: UTF8.self).contains("at most \(SyncWire.maximumBatch) events"))
        #expect(try await HTTP.send("POST", url, credential: north.credential, body: Data()).status == 400)
        // Gzip bodies: one that inflates past the limit, one cut short, and an encoding the server does not take.
        let gzip = ["Content-Encoding": "gzip"]
        let bomb = Gzip.compress(big)
        #expect(bomb.count < 64 * 1024)
        let inflated = try await HTTP.send("POST", url, credential: north.credential, body: bomb, headers: gzip)
        #expect(inflated.status == 413 && String(decoding: inflated.body, as: UTF8.self).contains("inflates past"))
        let cut = try await HTTP.send("POST", url, credential: north.credential, body: bomb.prefix(bomb.count / 2), headers: gzip)
        #expect(cut.status == 400 && String(decoding: cut.body, as: UTF8.self).contains("not a complete gzip stream"))
        let brotli = try await HTTP.send("POST", url, credential: north.credential, body: manyLines, headers: ["Content-Encoding": "br"])
        #expect(brotli.status == 415 && String(decoding: brotli.body, as: UTF8.self).contains("'br' is not accepted"))
        for query in ["?after=-1", "?after=abc", "?limit=0", "?limit=99999"] {
            #expect(try await HTTP.send("GET", url + query, credential: north.credential).status == 400, "\(query)")
        }
        // A batch with good and bad lines: the good ones are kept, each bad one is reported.
        let patient = try north.addPatient("Jane", mrn: "J1")
        let good = try north.store().events(patient: patient)[0]
        var tampered = good.bytes
        tampered[tampered.count - 3] = UInt8(ascii: "X")
        var body = Data("not an event line\n".utf8)
        body += Data((good.id.hex + " ").utf8) + tampered + Data("\n".utf8)
        let notAnEvent = Data(#"{"no":"event"}"#.utf8)
        body += Data((EventID(hashing: notAnEvent).hex + " ").utf8) + notAnEvent + Data("\n".utf8)
        body += SyncWire.pushBody([good])
        let mixed = try JSONDecoder().decode(PushResponse.self, from: try await HTTP.send("POST", url, credential: north.credential, body: body).body)
        #expect(mixed.rejected.map(\.code) == ["malformed", "id-mismatch", "invalid"])
        #expect(mixed.rejected.map(\.line) == [1, 2, 3])
        #expect(mixed.accepted.map(\.id) == [good.id.hex])
        #expect(try await HTTP.send("GET", server.url + "/health").status == 200)
    }

    @Test("an event stamped too far in the future is refused with the reason and kept at the site", arguments: ServerBackend.available)
    func clockAhead(backend: ServerBackend) throws {
        let folder = TemporaryDirectory("clock")
        defer { folder.remove() }
        let server = try ServerProcess(folder, backend: backend)
        let north = try TestSite("north", server: server, folder: folder)
        let ahead = Int64((Date().timeIntervalSince1970 + 3 * 86_400) * 1000)
        let store = try EventStore.open(at: north.home, clock: PhysicalClock { ahead })
        let event = try store.append(EventDraft(patient: Identifiers.make(), payload: .patientRegistered(PatientRegistered(name: "Future", born: LocalDate("1960-01-01")!))))
        let sync = try north.run("sync")
        #expect(sync.status != 0)
        #expect(sync.stdout.contains("clock-ahead") && sync.stdout.contains("correct the site's clock"))
        #expect(try north.store().syncState.refusedEvents().map(\.event) == [event.id])
        #expect(try server.eventIDs().isEmpty)
    }

    @Test("a long offline period, then a server restart in the middle of syncing: nothing lost, nothing doubled", arguments: ServerBackend.available)
    func restartMidSync(backend: ServerBackend) throws {
        let folder = TemporaryDirectory("restart")
        defer { folder.remove() }
        let (server, north, south) = try northAndSouth(folder, backend: backend)
        let store = try north.store()
        var drafts: [EventDraft] = []
        let patient = Identifiers.make()
        drafts.append(EventDraft(patient: patient, payload: .patientRegistered(PatientRegistered(name: "Offline Olive", born: LocalDate("1950-01-01")!, mrn: "O1"))))
        drafts.append(EventDraft(patient: patient, payload: .patientShared(PatientShared(site: "south"))))
        for index in 0..<6_000 { drafts.append(EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "offline note \(index)")))) }
        try store.append(drafts)
        let sync = try startSync(north.home)
        Thread.sleep(forTimeInterval: 0.3)
        try server.restart(signal: SIGKILL)
        sync.waitUntilExit()
        try north.sync()  // finishes whatever the interrupted sync left
        try south.sync()
        let onServer = try server.eventIDs(patient: patient)
        #expect(onServer.count == drafts.count)
        #expect(Set(onServer).count == onServer.count)
        #expect(try south.eventIDs(patient: patient) == Set(onServer))
        #expect(try north.store().syncState.outboxCount() == 0)
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}

extension SyncTests {
    @Test("clients killed with SIGKILL mid-push and mid-pull, 25 rounds: nothing lost, nothing duplicated, logs equal", arguments: ServerBackend.available)
    func killedClients(backend: ServerBackend) throws {
        let folder = TemporaryDirectory("killsync")
        defer { folder.remove() }
        let (server, north, south) = try northAndSouth(folder, backend: backend)
        let patient = Identifiers.make()
        let northStore = try north.store()
        try northStore.append([
            EventDraft(patient: patient, payload: .patientRegistered(PatientRegistered(name: "Killed Kim", born: LocalDate("1950-01-01")!, mrn: "K1"))),
            EventDraft(patient: patient, payload: .patientShared(PatientShared(site: "south"))),
        ])
        var rng = SeededGenerator(seed: 77)
        var written = 2
        for round in 0..<25 {
            let drafts = (0..<Int.random(in: 200...1500, using: &rng)).map {
                EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "round \(round) note \($0)")))
            }
            try northStore.append(drafts)
            written += drafts.count
            for home in [north.home, south.home] {
                let process = try startSync(home)
                usleep(UInt32.random(in: 20_000...400_000, using: &rng))
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        try north.sync(); try south.sync()
        let onServer = try server.eventIDs(patient: patient)
        #expect(onServer.count == written, "server holds \(onServer.count) of \(written)")
        #expect(Set(onServer).count == onServer.count)
        #expect(try north.eventIDs(patient: patient) == Set(onServer))
        #expect(try south.eventIDs(patient: patient) == Set(onServer))
        #expect(try south.store().eventCount() == written)
        #expect(try northStore.syncState.outboxCount() == 0)
        #expect(try south.store().integrityCheck() == "ok")
    }
}

extension SyncTests {
    @Test("the server stops cleanly on SIGTERM, and a site keeps its credential in a store only its owner can read", arguments: ServerBackend.available)
    func cleanShutdownAndCredentialFile(backend: ServerBackend) throws {
        let folder = TemporaryDirectory("sigterm")
        defer { folder.remove() }
        let server = try ServerProcess(folder, backend: backend)
        let north = try TestSite("north", server: server, folder: folder)
        let attributes = try FileManager.default.attributesOfItem(atPath: north.home.appendingPathComponent(EventStore.databaseFileName).path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let process = try #require(server.process)
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
        let log = try String(contentsOf: server.log, encoding: .utf8)
        #expect(log.contains("accord-server stopped cleanly"), "\(log)")
    }
}
