import AccordCore
import AccordKit
import AccordStore
import AccordSync
import Foundation
import Testing

/// A care team on one server: two clinicians at north (a store each, the site's credential) and one at south.
@Suite("A care team: several clinicians per site", .serialized)
struct CareTeamTests {
    @Test("a second clinician's store at a site receives the site's whole record; each store gets the other's events and never its own back",
          arguments: ServerBackend.available)
    func twoClinicansAtOneSite(backend: ServerBackend) throws {
        let folder = TemporaryDirectory("care-team")
        defer { folder.remove() }
        let (server, reyes, south) = try northAndSouth(folder, backend: backend)  // reyes is "Dr. North"
        let patient = try reyes.addPatient("Jane Park", mrn: "J1")
        try reyes.run("goal", "add", "--patient", "J1", "--text", "walk to the mailbox")
        try reyes.sync()
        // Dr. Park starts a store at north after Dr. Reyes has written: the whole record arrives.
        let park = try TestSite(joining: reyes, clinician: "Dr. Park", server: server, folder: folder)
        #expect(try park.eventIDs(patient: patient) == reyes.eventIDs(patient: patient))
        #expect(try park.run("patient", "list").stdout.contains("Jane Park"))
        // What one writes reaches the other, and nothing comes back to the store that wrote it.
        try park.run("note", "--patient", "J1", "--text", "seen by Dr. Park")
        #expect(try park.sync().stdout.contains("Sent 1 event(s), received 0."))
        #expect(try reyes.sync().stdout.contains("received 1."))
        #expect(try reyes.sync().stdout.contains("Sent 0 event(s), received 0."))
        #expect(try reyes.eventIDs(patient: patient) == park.eventIDs(patient: patient))
        try reyes.run("note", "--patient", "J1", "--text", "seen by Dr. Reyes")
        #expect(try reyes.sync().stdout.contains("Sent 1 event(s), received 0."))
        #expect(try park.sync().stdout.contains("received 1."))
        #expect(try park.store().record(patient: patient)?.notes.map(\.text) == ["seen by Dr. Park", "seen by Dr. Reyes"])
        // South sees nothing of north's patient until it is shared, then everything from both clinicians.
        try south.sync()
        #expect(try south.store().events(patient: patient).isEmpty)
        try park.run("patient", "share", "--patient", "J1", "--site", "south")
        try park.sync(); try south.sync(); try reyes.sync()
        #expect(try south.eventIDs(patient: patient) == reyes.eventIDs(patient: patient))
        #expect(try south.eventIDs(patient: patient) == park.eventIDs(patient: patient))
        #expect(Set(try server.eventIDs(patient: patient)) == (try park.eventIDs(patient: patient)))
        // Park's key is his own: the server binds him to north like Reyes.
        let keys = try server.admin("key", "list").stdout
        #expect(keys.contains("Dr. Park") && keys.contains("Dr. North"))
    }

    @Test("the README's old dead end: a key registered with another site's credential is withdrawn by the administrator and registered again; a lost key is rotated",
          arguments: ServerBackend.available)
    func keysThatCanBeFixed(backend: ServerBackend) async throws {
        let folder = TemporaryDirectory("key-fix")
        defer { folder.remove() }
        let server = try ServerProcess(folder, backend: backend)
        let north = try server.addSite("north")
        let home = folder.path("reyes")
        #expect(try Run.accord(["init", "--site", "north-clinic", "--clinician", "Dr. Ana Reyes"], store: home).status == 0)
        #expect(try Run.accord(["patient", "add", "--name", "Jane Park", "--born", "1960-01-01", "--mrn", "J1"], store: home).status == 0)
        #expect(try Run.accord(["agreement", "sign", "--patient", "J1"], store: home).status == 0)
        #expect(try Run.accord(["remote", "add", server.url, "--credential", north], store: home).status == 0)

        // Today's client sees the mismatch before registering anything.
        let mismatch = try Run.accord(["sync"], store: home)
        #expect(mismatch.status != 0 && mismatch.stderr.contains("belongs to site 'north'") && mismatch.stderr.contains("accord-server site add"), "\(mismatch.stderr)")
        #expect(try server.admin("key", "list").stdout.contains("No keys registered"))

        // An older client registered the key with north's credential anyway: that is the dead end.
        let store = try EventStore.open(at: home)
        let registration = KeyRegistration(publicKey: try store.keys.publicKey().rawRepresentation.base64EncodedString(),
                                           clinicianId: store.identity.clinicianID, clinicianName: store.identity.clinicianName)
        let posted = try await HTTP.send("POST", server.url + SyncWire.keysPath, credential: north, body: try JSONEncoder().encode(registration),
                                         headers: ["Content-Type": "application/json"])
        #expect(posted.status == 200)
        let fingerprint = try store.keys.fingerprint()
        let northClinic = try server.addSite("north-clinic")
        #expect(try Run.accord(["remote", "add", server.url, "--credential", northClinic], store: home).status == 0)
        let stuck = try Run.accord(["sync"], store: home)
        #expect(stuck.status != 0 && stuck.stderr.contains("accord-server key reject \(fingerprint.prefix(16))"), "\(stuck.stderr)")

        // The administrator withdraws the mistaken registration; the next sync registers the key at the right site.
        try server.admin("key", "reject", String(fingerprint.prefix(16)))
        #expect(try server.query("SELECT count(*) FROM audit_log WHERE kind = 'key.rejected'") == ["1"])
        #expect(try Run.accord(["sync"], store: home).stdout.contains("awaits approval"))
        let keys = try server.admin("key", "list").stdout
        #expect(keys.contains("north-clinic  Dr. Ana Reyes (clinician \(store.identity.clinicianID))"), "the binding is shown: \(keys)")
        try server.admin("key", "approve", String(fingerprint.prefix(16)))
        let synced = try Run.accord(["sync"], store: home)
        #expect(synced.status == 0, "\(synced.stdout)\(synced.stderr)")
        let patient = try store.resolvePatient("J1").id
        #expect(Set(try server.eventIDs(patient: patient)) == Set(try store.events(patient: patient).map(\.id.hex)))

        // A lost key: revoked by the administrator, replaced at the site, approved, and new signed entries go through.
        try server.admin("key", "revoke", String(fingerprint.prefix(16)))
        let rotated = try Run.accord(["key", "rotate", "--json"], store: home)
        #expect(rotated.status == 0, "\(rotated.stderr)")
        let newKey = try #require((try JSONSerialization.jsonObject(with: Data(rotated.stdout.utf8)) as? [String: String])?["new"])
        #expect(newKey != fingerprint && FileManager.default.fileExists(atPath: home.appendingPathComponent("clinician.key.retired-\(fingerprint.prefix(16))").path))
        #expect(try Run.accord(["agreement", "renew", "--patient", "J1"], store: home).status == 0)
        #expect(try Run.accord(["sync"], store: home).stdout.contains("awaits approval"))
        try server.admin("key", "approve", String(newKey.prefix(16)))
        let after = try Run.accord(["sync"], store: home)
        #expect(after.status == 0, "\(after.stdout)\(after.stderr)")
        #expect(Set(try server.eventIDs(patient: patient)) == Set(try store.events(patient: patient).map(\.id.hex)))
        #expect(try Run.accord(["key", "show"], store: home).stdout.contains("At the server: approved"))
    }
}

/// Every conflict pair of the matrix again, through a real server with three stores: Dr. Reyes and Dr. Park at north
/// (one credential, a store each) and Dr. Okafor at south, each writing offline between syncs.
@Suite("Conflicts through the server: three stores, every pair", .serialized)
struct ServerConflictMatrixTests {
    @Test("each pair: Park and Okafor change the same part offline while Reyes writes elsewhere; all three show both sides, then the kept one",
          arguments: ServerBackend.available)
    func everyPair(backend: ServerBackend) async throws {
        let folder = TemporaryDirectory("server-matrix")
        defer { folder.remove() }
        let server = try ServerProcess(folder, backend: backend)
        let url = URL(string: server.url)!
        let northCredential = try server.addSite("north"), southCredential = try server.addSite("south")
        let reyes = Clinic(store: try EventStore.inMemory(site: "north", clinicianName: "Dr. Reyes"))
        let park = Clinic(store: try EventStore.inMemory(site: "north", clinicianName: "Dr. Park"))
        let okafor = Clinic(store: try EventStore.inMemory(site: "south", clinicianName: "Dr. Okafor"))
        let everyone = [reyes, park, okafor]
        try reyes.connect(server: url, credential: northCredential)
        try park.connect(server: url, credential: northCredential)
        try okafor.connect(server: url, credential: southCredential)
        for clinic in everyone {
            _ = try await clinic.sync()
            try server.admin("key", "approve", String(try clinic.store.keys.fingerprint().prefix(16)))
        }
        func syncAll() async throws { for clinic in everyone + everyone { _ = try await clinic.sync() } }

        for (index, pair) in ConflictMatrixTests.pairs.enumerated() {
            for keep in [0, 1] {
                let label = "\(pair.testDescription), keeping \(keep == 0 ? "Park's" : "Okafor's")"
                let patient = try await reyes.registerPatient(name: "Patient \(index)-\(keep)", born: LocalDate("1960-01-01")!).patient
                try await pair.setUp(reyes, try reyes.chart(patient))
                _ = try await reyes.share(try reyes.chart(patient), with: "south")
                try await syncAll()
                let entity = pair.entity(try park.chart(patient).record)
                // Offline at all three: the two changes to the same part, and a note elsewhere in the record.
                try await pair.first.change(park, try park.chart(patient))
                try await pair.second.change(okafor, try okafor.chart(patient))
                _ = try await reyes.addNote(try reyes.chart(patient), text: "phoned the pharmacy")
                let outcomes = [ConflictMatrixTests.outcome(EntitySnapshot(try park.chart(patient).record, entity)),
                                ConflictMatrixTests.outcome(EntitySnapshot(try okafor.chart(patient).record, entity))]
                try await syncAll()
                let records = try everyone.map { try $0.chart(patient).record }
                #expect(records[0] == records[1] && records[1] == records[2], "\(label): every store holds the same record")
                let conflict = try #require(records[0].conflicts.first, "\(label)")
                #expect(records[0].conflicts.count == 1 && conflict.entity == entity, "\(label)")
                #expect(Set(conflict.sides.map(\.stamp.by)) == ["Dr. Park", "Dr. Okafor"], "\(label)")
                let kept = try #require(conflict.sides.first { $0.stamp.by == (keep == 0 ? "Dr. Park" : "Dr. Okafor") })
                #expect(ConflictMatrixTests.outcome(kept.state) == outcomes[keep], "\(label)")
                // Reyes, who wrote neither side, settles it.
                let chart = try reyes.chart(patient)
                _ = try await reyes.resolveConflict(chart, keep: try reyes.entry(chart, kept.event.hex))
                try await syncAll()
                for clinic in everyone {
                    let record = try clinic.chart(patient).record
                    #expect(record.conflicts.isEmpty, "\(label)")
                    #expect(ConflictMatrixTests.outcome(EntitySnapshot(record, entity)) == outcomes[keep], "\(label): exactly the kept outcome")
                    #expect(record.notes.map(\.text) == ["phoned the pharmacy"], "\(label)")
                }
            }
        }
        // Nothing duplicated anywhere: the server holds each event once and every store holds what the server holds.
        let ids = try server.eventIDs()
        #expect(Set(ids).count == ids.count)
        for clinic in everyone {
            let held = try clinic.patients().flatMap { try clinic.store.events(patient: $0.id) }.map(\.id.hex)
            #expect(Set(held) == Set(ids))
        }
    }
}
