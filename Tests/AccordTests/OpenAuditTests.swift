import AccordKit
import AccordLog
import Crypto
import Foundation
import Testing

/// The audit log in the open formats: C2SP signed-note checkpoints and tlog tiles, served to auditors and exported
/// for an offline check, and checked by Accord's own verifier and by Go's sumdb/note and sumdb/tlog.
@Suite("The audit log as C2SP checkpoints and tiles", .serialized)
struct OpenAuditTests {
    let folder = TemporaryDirectory("open-audit")

    @Test("a checkpoint note signs and opens; a changed line, another key or another name does not open")
    func notes() throws {
        let key = Curve25519.Signing.PrivateKey()
        let origin = "accord.invalid/audit-log/0011223344556677"
        let checkpoint = CheckpointNote(origin: origin, size: 300, root: Data(repeating: 7, count: 32))
        let note = try checkpoint.signed(name: origin, key: key)
        #expect(note.hasPrefix("\(origin)\n300\n\(Data(repeating: 7, count: 32).base64EncodedString())\n\n\u{2014} \(origin) "))
        let verifier = NoteKey(name: origin, publicKey: key.publicKey.rawRepresentation)
        #expect(try CheckpointNote.open(note, verifier: verifier) == checkpoint)
        #expect(try NoteKey(encoded: verifier.encoded) == verifier)
        #expect(try checkpoint.signed(name: origin, key: key) == note, "Ed25519 is deterministic: one checkpoint, one note")
        #expect(throws: NoteError.self) { try CheckpointNote.open(note.replacingOccurrences(of: "\n300\n", with: "\n301\n"), verifier: verifier) }
        #expect(throws: NoteError.self) {
            try CheckpointNote.open(note, verifier: NoteKey(name: origin, publicKey: Curve25519.Signing.PrivateKey().publicKey.rawRepresentation))
        }
        #expect(throws: NoteError.self) { try NoteKey(encoded: verifier.encoded.replacingOccurrences(of: "+", with: "+0", options: [], range: nil)) }
        let renamed = NoteKey(name: "another.example/log", publicKey: key.publicKey.rawRepresentation)
        #expect(throws: NoteError.self) { try CheckpointNote.open(note, verifier: renamed) }
        #expect(throws: NoteError.self) { try CheckpointNote.open(String(note.prefix { $0 != "\u{2014}" }), verifier: verifier) }
    }

    @Test("tile paths, widths and entry bundles follow tlog-tiles")
    func tiles() throws {
        #expect(LogTiles.encode(0) == "000" && LogTiles.encode(1234067) == "x001/x234/067" && LogTiles.encode(1000) == "x001/000")
        #expect(LogTiles.Tile(level: 0, index: 1234067, width: 7).path == "tile/0/x001/x234/067.p/7")
        #expect(LogTiles.Tile(path: "tile/0/x001/x234/067.p/7") == LogTiles.Tile(level: 0, index: 1234067, width: 7))
        #expect(LogTiles.Tile(path: "tile/entries/000") == LogTiles.Tile(level: nil, index: 0, width: 256))
        for bad in ["tile/0/1", "tile/0/x000/001", "tile/0/001.p/256", "tile/0/001.p/0", "tile/-1/000", "tile/0/01a", "tiles/0/000", "tile/0/000/"] {
            #expect(LogTiles.Tile(path: bad) == nil, "\(bad)")
        }
        let size = 256 * 256 + 300
        let all = LogTiles.tiles(forSize: size)
        #expect(all.filter { $0.level == nil }.count == 258 && all.filter { $0.level == 0 }.count == 258)
        #expect(all.filter { $0.level == 0 }.last == LogTiles.Tile(level: 0, index: 257, width: 44))
        #expect(all.filter { $0.level == 1 } == [LogTiles.Tile(level: 1, index: 0, width: 256), LogTiles.Tile(level: 1, index: 1, width: 1)])
        #expect(all.filter { $0.level == 2 } == [LogTiles.Tile(level: 2, index: 0, width: 1)])
        let entries = [Data("a".utf8), Data(), Data(repeating: 9, count: 300)]
        #expect(try LogTiles.entries(inBundle: try LogTiles.bundle(entries)) == entries)
        #expect(throws: NoteError.self) { try LogTiles.entries(inBundle: Data([0x01])) }
    }

    /// A server holding more than 256 log entries (a full tile, a partial one, and a second level), with the
    /// auditor's credential and the log's verifier key.
    func server(_ backend: ServerBackend) async throws -> (ServerProcess, auditor: String, vkey: String, site: String) {
        let server = try ServerProcess(folder, backend: backend)
        let credential = try server.addSite("north")
        let clinic = Clinic(store: try EventStore.inMemory(site: "north", clinicianName: "Dr. North"))
        try clinic.connect(server: URL(string: server.url)!, credential: credential)
        let patient = try await clinic.registerPatient(name: "Tess Tile", born: LocalDate("1960-01-01")!).patient
        let fingerprint = try #require(try await clinic.sync().keyFingerprint)
        try server.admin("key", "approve", fingerprint)
        for count in 1...300 { _ = try await clinic.addNote(try clinic.chart(patient), text: "note \(count)") }
        #expect(try await clinic.sync().complete)
        let auditor = try JSONDecoder().decode([String: String].self, from: Data(try server.admin("auditor", "add", "carol", "--json").stdout.utf8))["credential"]!
        let vkey = try server.admin("audit", "log-key").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return (server, auditor, vkey, credential)
    }

    @Test("the server serves the checkpoint note and tiles to auditors only; full tiles are immutable; the export checks offline and fails when changed",
          arguments: ServerBackend.available)
    func servedAndExported(backend: ServerBackend) async throws {
        defer { folder.remove() }
        let (server, auditor, vkey, site) = try await server(backend)
        defer { server.stop() }
        let key = try NoteKey(encoded: vkey)
        let prefix = server.url + "/audit/log/"
        let note = try await HTTP.send("GET", prefix + "checkpoint", credential: auditor)
        #expect(note.status == 200 && note.headers.first { $0.key.lowercased() == "cache-control" }?.value == "no-store")
        let checkpoint = try CheckpointNote.open(String(decoding: note.body, as: UTF8.self), verifier: key)
        #expect(checkpoint.size > 300)
        let served = try await HTTP.send("GET", server.url + "/v1/log/checkpoint", credential: site)
        let json = try JSONDecoder().decode(Checkpoint.self, from: served.body)
        #expect(json.rootHash == checkpoint.root || json.size > checkpoint.size, "the note states the log the JSON checkpoint signs")
        #expect(try await HTTP.send("GET", prefix + "checkpoint", credential: site).status == 401, "a site's credential opens no audit route")
        let full = try await HTTP.send("GET", prefix + "tile/0/000", credential: auditor)
        #expect(full.status == 200 && full.body.count == 256 * 32 && full.headers.first { $0.key.lowercased() == "cache-control" }?.value.contains("immutable") == true)
        let partialWidth = checkpoint.size - 256
        let partial = try await HTTP.send("GET", prefix + "tile/0/001.p/\(partialWidth)", credential: auditor)
        #expect(partial.status == 200 && partial.body.count == partialWidth * 32 && partial.headers.first { $0.key.lowercased() == "cache-control" }?.value == "no-store")
        let bundle = try await HTTP.send("GET", prefix + "tile/entries/000", credential: auditor)
        let bundled = try LogTiles.entries(inBundle: bundle.body)
        #expect(bundle.status == 200 && bundled.count == 256)
        #expect(try await HTTP.send("GET", prefix + "tile/0/001", credential: auditor).status == 404, "a full tile beyond the log")
        #expect(try await HTTP.send("GET", prefix + "tile/0/002.p/1", credential: auditor).status == 404)
        #expect(try await HTTP.send("GET", prefix + "tile/zero/000", credential: auditor).status == 404)

        // Exported, checked offline by accord-audit; then one changed byte, anywhere, fails it.
        let export = folder.path("export")
        let written = try server.admin("audit", "export", "--out", export.path)
        #expect(written.stdout.contains("accord-audit verify"))
        #expect(try Run.process(Paths.executable("accord-server"), ["audit", "export", "--out", export.path] + server.databaseArguments).status != 0,
                "an existing folder is never written into")
        let check = try Run.process(Paths.executable("accord-audit"), ["verify", export.path, "--key", vkey, "--json"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])
        #expect((report["size"] as? Int ?? 0) > 300 && (report["kinds"] as? [String: Int])?["event.accepted"] == 301)
        #expect(try Run.process(Paths.executable("accord-audit"), ["verify", export.path]).stdout.contains("comes from the folder itself"))
        let otherKey = NoteKey(name: key.name, publicKey: Curve25519.Signing.PrivateKey().publicKey.rawRepresentation).encoded
        #expect(try Run.process(Paths.executable("accord-audit"), ["verify", export.path, "--key", otherKey]).status == 1)
        for file in ["tile/entries/000", "tile/0/000", "tile/1/000.p/1"] {
            let url = export.appendingPathComponent(file)
            let original = try Data(contentsOf: url)
            var changed = original
            changed[changed.count - 1] ^= 1
            try changed.write(to: url)
            let failed = try Run.process(Paths.executable("accord-audit"), ["verify", export.path, "--key", vkey])
            #expect(failed.status == 1 && failed.stdout.contains("FAILS"), "\(file): \(failed.stdout)")
            try original.write(to: url)
        }
        try Self.goCheck(vkey: vkey, source: export.path, oldSize: 100)
        try Self.goCheck(vkey: vkey, source: prefix, credential: auditor)
    }

    /// Builds the Go checker once (Debian's golang-go and golang-golang-x-mod-dev) and runs it.
    static func goCheck(vkey: String, source: String, oldSize: Int? = nil, credential: String? = nil) throws {
        guard let checker = try goChecker() else {
            #expect(!ExportCommandTests.inCI, "CI installs Go and golang.org/x/mod (.ci/run)")
            return
        }
        let result = try Run.process(checker, [vkey, source] + (oldSize.map { [String($0)] } ?? []),
                                     environment: credential.map { ["ACCORD_AUDIT_CREDENTIAL": $0] } ?? [:])
        #expect(result.status == 0 && result.stdout.contains("ok "), "Go's sumdb/tlog: \(result.stdout)\(result.stderr)")
        if oldSize != nil { #expect(result.stdout.contains("consistent from")) }
    }

    static func goChecker() throws -> URL? {
        let source = "/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog"
        guard FileManager.default.fileExists(atPath: "/usr/bin/go"), FileManager.default.fileExists(atPath: source) else { return nil }
        let output = Paths.packageRoot.appendingPathComponent(".build/tlogcheck")
        let build = try Run.process(URL(fileURLWithPath: "/usr/bin/go"),
                                    ["build", "-o", output.path, Paths.packageRoot.appendingPathComponent("Tests/GoChecker/tlogcheck.go").path],
                                    environment: ["GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOCACHE": Paths.packageRoot.appendingPathComponent(".build/gocache").path,
                                                  "GOFLAGS": ""])
        #expect(build.status == 0, "go build: \(build.stderr)")
        return build.status == 0 ? output : nil
    }
}
