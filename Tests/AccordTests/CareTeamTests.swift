import AccordCore
import AccordStore
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
}
