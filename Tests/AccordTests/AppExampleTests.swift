import AccordKit
import Foundation
import Testing

/// The headless app, built on AccordKit alone, against a real server process.
@Suite("accord-app-example")
struct AppExampleTests {
    let folder = TemporaryDirectory("app-example")

    func example(_ server: ServerProcess, credential: String) throws -> ProcessResult {
        try Run.process(Paths.executable("accord-app-example"),
                        ["--store", folder.path("app").path, "--server", server.url, "--credential", credential, "--share-with", "south",
                         "--site", "north"], environment: [:])
    }

    @Test("registers, consents, signs, shares and syncs; says why not while its key awaits approval", arguments: ServerBackend.available)
    func firstVisit(backend: ServerBackend) throws {
        defer { folder.remove() }
        let server = try ServerProcess(folder, backend: backend)
        defer { server.stop() }
        let credential = try server.addSite("north")
        _ = try server.addSite("south")
        let pending = try example(server, credential: credential)
        #expect(pending.status == 0, "\(pending.stderr)")
        let first = try #require(try JSONSerialization.jsonObject(with: Data(pending.stdout.utf8)) as? [String: Any])
        #expect(first["synced"] as? Bool == false)
        #expect((first["reason"] as? String)?.contains("awaits approval") == true)
        let fingerprint = try FileSigningKeyStore(directory: folder.path("app")).fingerprint()
        #expect(try server.admin("key", "approve", fingerprint).status == 0)
        let approved = try example(server, credential: credential)
        let second = try #require(try JSONSerialization.jsonObject(with: Data(approved.stdout.utf8)) as? [String: Any])
        #expect(second["synced"] as? Bool == true, "\(approved.stdout)\(approved.stderr)")
        let patient = try #require(second["patient"] as? String)
        #expect(first["patient"] as? String == patient, "the second run finds the patient the first registered, not a duplicate")
        // The first run's registration, consent, agreement and share, held while the key awaited approval, and this run's consent.
        #expect(try server.eventIDs(patient: patient).count == 5)
        #expect(approved.stdout.split(separator: "\n").count == 1, "one JSON line")
    }

    @Test("bad arguments get the usage line and a non-zero exit")
    func usage() throws {
        defer { folder.remove() }
        let result = try Run.process(Paths.executable("accord-app-example"), ["--store"], environment: [:])
        #expect(result.status != 0 && result.stderr.contains("usage: accord-app-example"))
    }
}
