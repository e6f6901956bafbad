import AccordKit
import AccordLog
import AccordServer
import Crypto
import Foundation
import HTTPTypes
import Testing

/// Witness cosigning (C2SP tlog-witness, tlog-cosignature): the witness's rules in process, then a witness process
/// cosigning a real server's log, the cosignature served with the checkpoint and required by the offline check.
@Suite("Witnesses cosign the audit log", .serialized)
struct WitnessTests {
    let folder = TemporaryDirectory("witness")

    /// A log of `size` entries: its signed note and the leaves, for proofs.
    struct Log {
        let key = Curve25519.Signing.PrivateKey()
        var leaves: [Data] = []
        var verifier: NoteKey { NoteKey.forLog(publicKey: key.publicKey.rawRepresentation) }
        mutating func grow(to size: Int) { while leaves.count < size { leaves.append(MerkleHash.leaf(Data("entry \(leaves.count)".utf8))) } }
        func note(_ size: Int) throws -> String {
            try CheckpointNote(origin: verifier.name, size: size, root: MerkleHash.root(ofLeaves: Array(leaves.prefix(size)))).signed(name: verifier.name, key: key)
        }
        func proof(_ old: Int, _ new: Int) throws -> [Data] {
            let leaves = self.leaves
            return try MerkleProofs { start, width in MerkleHash.root(ofLeaves: Array(leaves[start..<(start + width)])) }.consistency(old: old, new: new)
        }
    }

    func refusal(_ status: HTTPResponse.Status, _ body: () async throws -> NoteSignature, sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            _ = try await body()
            Issue.record("expected a \(status) refusal", sourceLocation: sourceLocation)
        } catch let refusal as Witness.Refusal {
            #expect(refusal.status == status, "\(refusal.message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected a refusal, got \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test("a witness cosigns only a log that extends what it cosigned, keeps that before answering, and says its size to a stale request")
    func rules() async throws {
        defer { folder.remove() }
        var log = Log()
        log.grow(to: 40)
        let state = folder.path("witness.json")
        let keyBytes = Curve25519.Signing.PrivateKey().rawRepresentation
        let witness = try Witness(name: "witness.south.example", key: try .init(rawRepresentation: keyBytes), logs: [log.verifier], stateFile: state, clock: { 1_800_000_000 })
        let first = try await witness.add(AddCheckpointRequest(oldSize: 0, proof: [], note: try log.note(10)))
        let body = try CheckpointNote.parse(try log.note(10)).body
        #expect(witness.verifierKey.verifiedTime(first, body: body) == 1_800_000_000)
        #expect(try WitnessKey(encoded: witness.verifierKey.encoded) == witness.verifierKey)
        #expect(witness.verifierKey.verifiedTime(first, body: try CheckpointNote.parse(try log.note(11)).body) == nil, "a cosignature covers one checkpoint")

        do {
            _ = try await witness.add(AddCheckpointRequest(oldSize: 0, proof: [], note: try log.note(20)))
            Issue.record("a stale old size is refused")
        } catch let refusal as Witness.Refusal {
            #expect(refusal.status == .conflict && refusal.size == 10)
        }
        _ = try await witness.add(AddCheckpointRequest(oldSize: 10, proof: try log.proof(10, 20), note: try log.note(20)))
        await refusal(.unprocessableContent) { try await witness.add(AddCheckpointRequest(oldSize: 20, proof: try log.proof(10, 30), note: try log.note(30))) }
        var forked = log
        forked.leaves[15] = MerkleHash.leaf(Data("rewritten".utf8))
        await refusal(.unprocessableContent) { try await witness.add(AddCheckpointRequest(oldSize: 20, proof: try forked.proof(20, 30), note: try forked.note(30))) }
        let stranger = Log()
        await refusal(.notFound) { try await witness.add(AddCheckpointRequest(oldSize: 0, proof: [], note: try stranger.note(0))) }
        let forged = try CheckpointNote(origin: log.verifier.name, size: 30, root: Data(repeating: 1, count: 32)).signed(name: log.verifier.name, key: Curve25519.Signing.PrivateKey())
        await refusal(.forbidden) { try await witness.add(AddCheckpointRequest(oldSize: 20, proof: [], note: forged)) }

        // The state outlives the process: a witness started again knows it cosigned 20.
        let again = try Witness(name: "witness.south.example", key: try .init(rawRepresentation: keyBytes), logs: [log.verifier], stateFile: state)
        _ = try await again.add(AddCheckpointRequest(oldSize: 20, proof: try log.proof(20, 40), note: try log.note(40)))
        #expect(throws: NoteError.self) { try AddCheckpointRequest(parsing: "old x\n\nnote") }
        let request = AddCheckpointRequest(oldSize: 20, proof: try log.proof(20, 40), note: try log.note(40))
        #expect(try AddCheckpointRequest(parsing: request.body) == request)
    }

    /// `accord-server witness serve` on a free port; returns the process and its address.
    func startWitness(logKey: String) throws -> (Process, String, String) {
        let output = folder.path("witness.out")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        let process = Process()
        process.executableURL = Paths.executable("accord-server")
        process.arguments = ["witness", "serve", "--name", "witness.south.example", "--key", folder.path("witness.key").path,
                             "--state", folder.path("witness-state.json").path, "--log", logKey, "--port", "0"]
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let range = text.range(of: "listening on 127.0.0.1:"), let key = text.range(of: "its key: ") {
                let port = text[range.upperBound...].prefix { $0.isNumber }
                let witnessKey = text[key.upperBound...].prefix { !$0.isNewline }
                return (process, "http://127.0.0.1:\(port)", String(witnessKey))
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        process.terminate()
        throw ServerError("the witness did not start: \((try? String(contentsOf: output, encoding: .utf8)) ?? "")")
    }

    @Test("a witness process cosigns the server's log as it grows; the cosignature is served with the checkpoint and required offline",
          arguments: ServerBackend.available)
    func cosignsARealLog(backend: ServerBackend) async throws {
        defer { folder.remove() }
        let server = try ServerProcess(folder, backend: backend, extraArguments: ["--witness-interval", "1"])
        defer { server.stop() }
        let logKey = try server.admin("audit", "log-key").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let (witness, url, witnessKey) = try startWitness(logKey: logKey)
        defer { witness.terminate(); witness.waitUntilExit() }
        let badKey = WitnessKey(name: "witness.south.example", publicKey: Curve25519.Signing.PrivateKey().publicKey.rawRepresentation).encoded
        #expect(try Run.process(Paths.executable("accord-server"), ["witness", "add", "other.example", "--key", witnessKey, "--url", url] + server.databaseArguments).status != 0,
                "the name must be the key's")
        try server.admin("witness", "add", "witness.south.example", "--key", witnessKey, "--url", url)

        let credential = try server.addSite("north")
        // Every administrative change is logged, so the auditor is added before the rounds the witness catches up with.
        let auditor = try JSONDecoder().decode([String: String].self, from: Data(try server.admin("auditor", "add", "carol", "--json").stdout.utf8))["credential"]!
        let clinic = Clinic(store: try EventStore.inMemory(site: "north", clinicianName: "Dr. North"))
        try clinic.connect(server: URL(string: server.url)!, credential: credential)
        let patient = try await clinic.registerPatient(name: "Wes Witness", born: LocalDate("1960-01-01")!).patient
        for round in 1...2 {
            _ = try await clinic.addNote(try clinic.chart(patient), text: "round \(round)")
            _ = try await clinic.sync()
            // Wait for the submitter to catch the witness up with the latest checkpoint.
            let deadline = Date().addingTimeInterval(20)
            var cosigned = false
            while Date() < deadline, !cosigned {
                let listed = try JSONSerialization.jsonObject(with: Data(try server.admin("witness", "list", "--json").stdout.utf8)) as? [[String: Any]]
                let latest = try JSONDecoder().decode(Checkpoint.self, from: try await HTTP.send("GET", server.url + "/v1/log/checkpoint", credential: credential).body)
                cosigned = (listed?.first?["cosignedSize"] as? Int) == latest.size
                if !cosigned { try await Task.sleep(for: .milliseconds(300)) }
            }
            #expect(cosigned, "round \(round): the witness cosigned the latest checkpoint")
        }

        // A site requires the witness: every entry lies in the checkpoint it cosigned; requiring a witness that never
        // cosigned fails every entry with the reason.
        let witnessVerifierKey = try WitnessKey(encoded: witnessKey)
        let chart = try clinic.chart(patient)
        let witnessed = try await clinic.verify(chart, witnesses: [witnessVerifierKey])
        #expect(witnessed.allSatisfy { $0.ok && $0.witnessedBy == ["witness.south.example"] }, "\(witnessed.map(\.problems))")
        let stranger = try WitnessKey(encoded: WitnessKey(name: "witness.elsewhere.example", publicKey: Curve25519.Signing.PrivateKey().publicKey.rawRepresentation).encoded)
        let short = try await clinic.verify(chart, witnesses: [witnessVerifierKey, stranger])
        #expect(short.allSatisfy { !$0.ok && $0.problems.contains { $0.contains("carries 1 of the 2 cosignatures required") } })
        #expect(try await clinic.verify(chart, witnesses: [witnessVerifierKey, stranger], required: 1).allSatisfy(\.ok))
        await #expect(throws: ClinicError.self) { try await clinic.verify(chart, witnesses: [witnessVerifierKey], required: 2) }

        let note = String(decoding: try await HTTP.send("GET", server.url + "/audit/log/checkpoint", credential: auditor).body, as: UTF8.self)
        let (_, body, signatures) = try CheckpointNote.parse(note)
        let witnessVerifier = try WitnessKey(encoded: witnessKey)
        #expect(signatures.contains { witnessVerifier.verifiedTime($0, body: body) != nil }, "the served note carries the witness's cosignature: \(note)")
        #expect(try CheckpointNote.open(note, verifier: try NoteKey(encoded: logKey)).size > 0, "and still opens with the log's key alone")

        let export = folder.path("export")
        try server.admin("audit", "export", "--out", export.path)
        let verify = { (arguments: [String]) throws -> ProcessResult in
            try Run.process(Paths.executable("accord-audit"), ["verify", export.path, "--key", logKey] + arguments)
        }
        let exported = try String(contentsOf: export.appendingPathComponent("checkpoint"), encoding: .utf8)
        if exported.components(separatedBy: "\u{2014} witness.south.example ").count > 1 {
            #expect(try verify(["--witness", witnessKey]).status == 0)
            let output = try verify(["--witness", witnessKey, "--witness", badKey, "--require", "2"])
            #expect(output.status == 1 && output.stdout.contains("1 of the witnesses given"), "\(output.stdout)")
        } else {
            Issue.record("the exported checkpoint carries no cosignature: \(exported)")
        }
        #expect(try verify(["--witness", witnessKey, "--require", "3"]).status == 64, "--require beyond the witnesses given")
        #expect(try server.admin("audit", "verify").status == 0, "the witness's registration is an ordinary, verified log entry")
    }
}
