import AccordCore
import AccordSync
import AccordStore
import Foundation
import Testing

/// What an attacker or an unlucky operator can do to the server: floods of refused credentials cost a few counted
/// log entries, and every address has a rate.
@Suite("Server hardening: refusals and rates", .serialized)
struct ServerHardeningTests {
    func bytes(_ paths: [String]) -> Int {
        paths.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: $1)[.size] as? Int) ?? 0) }
    }

    @Test("300 refused requests with 60 KB paths grow the database and the log by well under 1 MB, counted in a few summaries that hold no path")
    func refusalsAreCounted() async throws {
        let folder = TemporaryDirectory("refusals")
        defer { folder.remove() }
        let server = try ServerProcess(folder, extraArguments: ["--rate-limit", "0", "--refusal-window", "3"])
        _ = try server.addSite("north")
        let files = [server.database.path, server.database.path + "-wal", server.log.path]
        let before = bytes(files)
        let started = Date()
        let longPath = "/v1/patients/" + String(repeating: "a", count: 60_000) + "/fhir"
        let refused = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<6 {
                group.addTask {
                    var refused = 0
                    for _ in 0..<50 {
                        let reply = try await HTTP.send("GET", server.url + longPath, credential: "acs_wrong\(worker)-credential")
                        if reply.status == 401 { refused += 1 }
                    }
                    return refused
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(refused == 300)
        let windows = Int(Date().timeIntervalSince(started) / 3) + 2
        // The last window closes at most one window after the last request, and the timer writes it within one more.
        try await Task.sleep(for: .seconds(9))
        let grown = bytes(files) - before
        #expect(grown < 1_000_000, "grew \(grown) bytes")
        let summaries = try server.query("SELECT CAST(entry AS TEXT) FROM audit_log WHERE kind = 'credential.refused'")
        // One summary per window, address and credential prefix (6 workers, 6 prefixes): a few, however many requests.
        #expect(!summaries.isEmpty && summaries.count <= 6 * windows, "\(summaries.count) summaries in \(windows) windows")
        let total = summaries.map { text -> Int in
            guard let start = text.range(of: "\"detail\":\"") else { return 0 }
            return Int(text[start.upperBound...].prefix { $0.isNumber }) ?? 0
        }.reduce(0, +)
        #expect(total == 300, "every refusal counted once: \(total)")
        #expect(!summaries.contains { $0.contains("aaaaaaaaaa") || $0.contains("wrong0-credential") }, "no path, no whole credential")
        let log = try String(contentsOf: server.log, encoding: .utf8)
        #expect(!log.contains("aaaaaaaaaa"))
        #expect(try server.admin("audit", "verify").status == 0)
    }

    @Test("refusals still being counted when the server stops cleanly are written before it exits")
    func refusalsWrittenOnStop() async throws {
        let folder = TemporaryDirectory("refusals-stop")
        defer { folder.remove() }
        let server = try ServerProcess(folder, extraArguments: ["--refusal-window", "3600"])
        _ = try server.addSite("north")
        for _ in 0..<5 { _ = try await HTTP.send("GET", server.url + SyncWire.eventsPath, credential: "acs_not-a-credential") }
        server.stop()
        let summaries = try server.query("SELECT CAST(entry AS TEXT) FROM audit_log WHERE kind = 'credential.refused'")
        #expect(summaries.count == 1 && summaries[0].contains("5 request(s) to /v1/events"), "\(summaries)")
        #expect(try server.admin("audit", "verify").status == 0)
    }

    @Test("past its rate an address gets 429 with Retry-After on every route, and is served again after waiting")
    func rateLimit() async throws {
        let folder = TemporaryDirectory("rate")
        defer { folder.remove() }
        let server = try ServerProcess(folder, extraArguments: ["--rate-limit", "1", "--rate-burst", "5"])
        let credential = try server.addSite("north")
        var statuses: [Int] = []
        var retryAfter: String?
        let paths = [SyncWire.healthPath, SyncWire.eventsPath, SyncWire.checkpointPath, SyncWire.sitePath, SyncWire.keysPath, SyncWire.eventsPath, "/audit", SyncWire.sitePath]
        // A loaded machine refills a token or more between requests (a full test run once took over 3 s for these
        // eight), so requests go on round the routes until one is refused; only the shape is fixed: the burst
        // passes, then 429.
        while retryAfter == nil && statuses.count < 100 {
            let reply = try await HTTP.send("GET", server.url + paths[statuses.count % paths.count], credential: credential)
            statuses.append(reply.status)
            if reply.status == 429 { retryAfter = reply.headers["retry-after"] }
        }
        #expect(statuses.prefix(5).allSatisfy { $0 != 429 } && statuses.last == 429, "\(statuses)")
        // Usually 1-5 s; on a machine slow enough to refill a token before "/audit", that request reaches the credential
        // check, and the refused credential costs 10 requests' worth.
        let wait = try #require(retryAfter.flatMap(Int.init))
        #expect((1...11).contains(wait))
        try await Task.sleep(for: .seconds(wait + 1))
        let again = try await HTTP.send("GET", server.url + SyncWire.sitePath, credential: credential)
        #expect(again.status == 200)
        // The sync client waits as told and carries on.
        let home = folder.path("site")
        #expect(try Run.accord(["init", "--site", "north", "--clinician", "Dr. North"], store: home).status == 0)
        #expect(try Run.accord(["remote", "add", server.url, "--credential", credential], store: home).status == 0)
        #expect(try Run.accord(["patient", "add", "--name", "Rate Limited", "--born", "1960-01-01", "--mrn", "R1"], store: home).status == 0)
        let synced = try Run.accord(["sync"], store: home)
        #expect(synced.status == 0, "\(synced.stdout)\(synced.stderr)")
    }

    @Test("405 with Allow for a known route's other methods; 415 for a body declared as another type")
    func methodsAndTypes() async throws {
        let folder = TemporaryDirectory("methods")
        defer { folder.remove() }
        let server = try ServerProcess(folder)
        let credential = try server.addSite("north")
        let put = try await HTTP.send("PUT", server.url + SyncWire.eventsPath, credential: credential)
        #expect(put.status == 405 && put.headers["allow"] == "GET, POST", "\(put.status) \(put.headers)")
        let postHealth = try await HTTP.send("POST", server.url + SyncWire.healthPath)
        #expect(postHealth.status == 405 && postHealth.headers["allow"] == "GET")
        let getKeys = try await HTTP.send("GET", server.url + SyncWire.keysPath, credential: credential)
        #expect(getKeys.status == 405 && getKeys.headers["allow"] == "POST")
        let text = try await HTTP.send("POST", server.url + SyncWire.eventsPath, credential: credential, body: Data("x".utf8),
                                       headers: ["Content-Type": "text/plain"])
        #expect(text.status == 415)
        let form = try await HTTP.send("POST", server.url + SyncWire.keysPath, credential: credential, body: Data("{}".utf8),
                                       headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(form.status == 415)
    }

    @Test("administrative commands refuse a database that does not exist instead of creating an empty one; audit access wants a full id")
    func administrationOnAMistypedDatabase() throws {
        let folder = TemporaryDirectory("typo")
        defer { folder.remove() }
        let typo = folder.path("typo.sqlite")
        for arguments in [["audit", "verify"], ["key", "list"], ["site", "list"], ["audit", "agreements"]] {
            let result = try Run.process(Paths.executable("accord-server"), arguments + ["--database", typo.path])
            #expect(result.status != 0 && result.stderr.contains("No server database at"), "\(arguments): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: typo.path))
        let server = try ServerProcess(folder)
        let byMRN = try Run.process(Paths.executable("accord-server"), ["audit", "access", "--patient", "12345"] + server.databaseArguments)
        #expect(byMRN.status != 0 && byMRN.stderr.contains("full id"), "\(byMRN.stderr)")
    }

    @Test("the store folder is 0700 and exports 0600 whatever the umask; an ended agreement's audit claims no patient agreement")
    func modesAndEndedVersions() throws {
        let folder = TemporaryDirectory("modes")
        defer { folder.remove() }
        let home = folder.path("store")
        let accord = Paths.executable("accord").path
        let made = try Run.process(URL(fileURLWithPath: "/bin/sh"), ["-c", "umask 000 && \(accord) init --site north --clinician 'Dr. Umask' --store \(home.path)"])
        #expect(made.status == 0, "\(made.stderr)")
        let mode = try FileManager.default.attributesOfItem(atPath: home.path)[.posixPermissions] as? Int
        #expect(mode == 0o700, "store folder mode \(String(mode ?? 0, radix: 8))")
        #expect(try Run.accord(["patient", "add", "--name", "Una Mask", "--born", "1970-01-01", "--mrn", "U1"], store: home).status == 0)
        let out = folder.path("una.json")
        let exported = try Run.process(URL(fileURLWithPath: "/bin/sh"), ["-c", "umask 000 && \(accord) export --patient U1 --format fhir --out \(out.path) --store \(home.path)"])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(try FileManager.default.attributesOfItem(atPath: out.path)[.posixPermissions] as? Int == 0o600)

        let server = try ServerProcess(folder)
        let north = try TestSite("north", server: server, folder: folder)
        _ = try north.addPatient("Jane Park", mrn: "J1")
        try north.run("agreement", "sign", "--patient", "J1")
        try north.run("agreement", "end", "--patient", "J1", "--reason", "moved away")
        try north.sync()
        let audit = try server.admin("audit", "agreements", "--json").stdout
        let versions = try #require((try JSONSerialization.jsonObject(with: Data(audit.utf8)) as? [[String: Any]])?.first?["versions"] as? [[String: Any]])
        #expect(versions.map { $0["change"] as? String } == ["signed", "ended"])
        #expect(versions[0]["patientAgreed"] as? String == "in-person" && versions[1]["patientAgreed"] == nil, "\(versions)")
    }
}

/// Connections that never finish: headers cut short, a body promised and never sent.
@Suite("Server timeouts")
struct ServerTimeoutTests {
    /// Runs a Python socket client (the test needs raw, unfinished HTTP) and returns what it printed.
    func socketClient(_ script: String) throws -> String {
        let result = try Run.process(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", script])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("headers never finished: the connection is closed after the idle timeout; a body never sent: 408 after the body timeout")
    func slowClients() throws {
        let folder = TemporaryDirectory("timeouts")
        defer { folder.remove() }
        let server = try ServerProcess(folder, extraArguments: ["--idle-timeout", "3", "--body-timeout", "1"])
        let credential = try server.addSite("north")
        let headers = try socketClient("""
            import socket, time
            s = socket.create_connection(("127.0.0.1", \(server.port)))
            s.sendall(b"GET /health HTTP/1.1\\r\\nHost: x\\r\\n")
            start = time.time(); s.settimeout(30)
            data = s.recv(1000)
            print(round(time.time() - start, 1), len(data))
            """)
        let closedAfter = Double(headers.split(separator: " ").first ?? "") ?? 99
        #expect(closedAfter < 8, "closed after \(headers)")
        let body = try socketClient("""
            import socket, time
            s = socket.create_connection(("127.0.0.1", \(server.port)))
            s.sendall(b"POST /v1/events HTTP/1.1\\r\\nHost: x\\r\\nAuthorization: Bearer \(credential)\\r\\nContent-Type: application/x-ndjson\\r\\nContent-Length: 1000\\r\\n\\r\\nabc")
            start = time.time(); s.settimeout(30)
            data = s.recv(1000)
            print(round(time.time() - start, 1), data.split(b"\\r\\n")[0].decode())
            """)
        #expect(body.contains("408"), "\(body)")
        #expect((Double(body.split(separator: " ").first ?? "") ?? 99) < 8, "\(body)")
    }
}

/// https in the server itself.
@Suite("Server TLS")
struct ServerTLSTests {
    @Test("with --tls-cert and --tls-key the server answers https only; a site that does not trust the certificate sends nothing and says why")
    func https() throws {
        let folder = TemporaryDirectory("tls")
        defer { folder.remove() }
        let certificate = folder.path("cert.pem"), key = folder.path("key.pem")
        let made = try Run.process(URL(fileURLWithPath: "/usr/bin/env"), [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.path,
            "-out", certificate.path, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        #expect(made.status == 0, "\(made.stderr)")
        let server = try ServerProcess(folder, extraArguments: ["--tls-cert", certificate.path, "--tls-key", key.path])
        let credential = try server.addSite("north")
        let https = "https://127.0.0.1:\(server.port)"
        let trusted = try Run.process(URL(fileURLWithPath: "/usr/bin/env"), ["curl", "-s", "--cacert", certificate.path, https + SyncWire.healthPath])
        #expect(trusted.stdout.contains("\"status\":\"ok\""), "\(trusted.stdout)\(trusted.stderr)")
        let site = try Run.process(URL(fileURLWithPath: "/usr/bin/env"), ["curl", "-s", "--cacert", certificate.path, "-H", "Authorization: Bearer \(credential)", https + SyncWire.sitePath])
        #expect(site.stdout.contains("north"))
        let plain = try Run.process(URL(fileURLWithPath: "/usr/bin/env"), ["curl", "-s", "-m", "5", "http://127.0.0.1:\(server.port)" + SyncWire.healthPath])
        #expect(plain.status != 0, "plain http is not served on the https port")

        let home = folder.path("site")
        #expect(try Run.accord(["init", "--site", "north", "--clinician", "Dr. North"], store: home).status == 0)
        #expect(try Run.accord(["patient", "add", "--name", "Tess Ls", "--born", "1970-01-01"], store: home).status == 0)
        #expect(try Run.accord(["remote", "add", https, "--credential", credential], store: home).status == 0)
        let untrusted = try Run.accord(["sync"], store: home)
        #expect(untrusted.status != 0 && untrusted.stderr.contains("not trusted on this machine"), "\(untrusted.stderr)")
        #expect(try EventStore.open(at: home).syncState.outboxCount() == 1, "nothing was sent")
        let mismatched = try Run.process(Paths.executable("accord-server"), ["serve", "--port", "0", "--tls-cert", certificate.path] + server.databaseArguments)
        #expect(mismatched.status != 0 && mismatched.stderr.contains("--tls-cert and --tls-key go together"))
    }
}

/// Events are held to their schema on the server too: the canonical bytes, real times, parents that exist.
@Suite("Strict events on the server")
struct StrictEventTests {
    @Test("unknown fields, non-canonical JSON, a recorded time that is no time and an unknown parent are refused line by line; good lines are kept")
    func strictEvents() async throws {
        let folder = TemporaryDirectory("strict")
        defer { folder.remove() }
        let server = try ServerProcess(folder)
        let credential = try server.addSite("north")
        let patient = Identifiers.make()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let registration = EventFixtures.event(patient: patient, wall: now, .patientRegistered(PatientRegistered(name: "Strict", born: LocalDate("1970-01-01")!)))
        let note = EventFixtures.event(patient: patient, wall: now + 1, parents: [registration.id], .noteAdded(NoteAdded(text: "fine")))
        func rewritten(_ event: Event, _ change: (inout [String: Any]) -> Void, options: JSONSerialization.WritingOptions = [.sortedKeys, .withoutEscapingSlashes]) throws -> Data {
            var object = try #require(try JSONSerialization.jsonObject(with: event.bytes) as? [String: Any])
            change(&object)
            return try JSONSerialization.data(withJSONObject: object, options: options)
        }
        let extraField = try rewritten(EventFixtures.event(patient: patient, wall: now + 2, .noteAdded(NoteAdded(text: "extra")))) { $0["extra"] = 1 }
        let spaced = Data(String(decoding: EventFixtures.event(patient: patient, wall: now + 3, .noteAdded(NoteAdded(text: "spaced"))).bytes, as: UTF8.self)
            .replacingOccurrences(of: "\",\"", with: "\", \"").utf8)
        let badTime = try rewritten(EventFixtures.event(patient: patient, wall: now + 4, .noteAdded(NoteAdded(text: "time")))) { $0["recorded"] = "not a date" }
        let orphan = EventFixtures.event(patient: patient, wall: now + 5, parents: [EventID(hashing: Data("nowhere".utf8))], .noteAdded(NoteAdded(text: "orphan")))
        let items = [registration.bytes, note.bytes, extraField, spaced, badTime, orphan.bytes].map {
            SyncWire.Item(id: EventID(hashing: $0), bytes: $0, signature: nil)
        }
        let reply = try await HTTP.send("POST", server.url + SyncWire.eventsPath, credential: credential, body: SyncWire.pushBody(items))
        #expect(reply.status == 200)
        let answer = try JSONDecoder().decode(PushResponse.self, from: reply.body)
        #expect(answer.accepted.map(\.id) == [registration.id.hex, note.id.hex], "the good lines are kept")
        let codes = Dictionary(uniqueKeysWithValues: answer.rejected.map { ($0.line, $0.code) })
        #expect(codes[3] == .notCanonical && codes[4] == .notCanonical, "\(answer.rejected)")
        #expect(codes[5] == .invalid && answer.rejected.first { $0.line == 5 }?.reason.contains("recorded time") == true, "\(answer.rejected)")
        #expect(codes[6] == .unknownParent, "\(answer.rejected)")
    }
}

/// Who may see what is in the audit log too: every change made behind the server's back is found by `audit verify`.
@Suite("audit verify covers access", .serialized)
struct AccessAuditTests {
    @Test("a care team row, a feed row, a key approved, a credential hash changed: each reported with its table and key, then intact again once undone",
          arguments: ServerBackend.available)
    func tamperingWithAccess(backend: ServerBackend) throws {
        let folder = TemporaryDirectory("access-audit")
        defer { folder.remove() }
        let (server, north, south) = try northAndSouth(folder, backend: backend)
        _ = try TestSite("east", server: server, folder: folder)
        let pending = try TestSite("west", server: server, folder: folder, approveKey: false)
        try pending.sync()
        let patient = try north.addPatient("Jane Park", mrn: "J1")
        try north.run("patient", "share", "--patient", "J1", "--site", "south")
        try north.sync(); try south.sync()
        #expect(try server.admin("audit", "verify").status == 0)
        let firstSeq = try #require(try server.query("SELECT min(seq) FROM events WHERE patient = '\(patient)'").first)
        let southHash = try #require(try server.query("SELECT credential_sha256 FROM sites WHERE name = 'south'").first)
        let tampering: [(change: String, undo: String, names: String)] = [
            ("INSERT INTO care_team (patient, site, since_event) VALUES ('\(patient)', 'east', 'x')",
             "DELETE FROM care_team WHERE patient = '\(patient)' AND site = 'east'", "care_team row (patient \(patient.prefix(8)), site 'east')"),
            ("INSERT INTO feed (site, event_seq) VALUES ('east', \(firstSeq))", "DELETE FROM feed WHERE site = 'east' AND event_seq = \(firstSeq)",
             "feed rows of site 'east' for patient \(patient.prefix(8))"),
            ("UPDATE clinician_keys SET status = 'approved' WHERE site = 'west'", "UPDATE clinician_keys SET status = 'pending' WHERE site = 'west'",
             "clinician_keys row \(pending.keyFingerprint.prefix(16)) is approved but the log says pending"),
            ("UPDATE sites SET credential_sha256 = '\(String(repeating: "0", count: 64))' WHERE name = 'south'",
             "UPDATE sites SET credential_sha256 = '\(southHash)' WHERE name = 'south'", "sites row 'south': its credential hash"),
            ("DELETE FROM care_team WHERE patient = '\(patient)' AND site = 'south'",
             "INSERT INTO care_team (patient, site, since_event) VALUES ('\(patient)', 'south', 'x')", "care_team row (patient \(patient.prefix(8)), site 'south') that the log records is missing"),
        ]
        for tamper in tampering {
            try server.execute(tamper.change)
            let report = try Run.process(Paths.executable("accord-server"), ["audit", "verify"] + server.databaseArguments)
            #expect(report.status != 0 && report.stdout.contains(tamper.names), "\(tamper.change): \(report.stdout)")
            try server.execute(tamper.undo)
            #expect(try server.admin("audit", "verify").status == 0, "undone: \(tamper.undo)")
        }
        // Two events' places swapped behind the server's back (SQLite: the append-only trigger dropped first).
        if backend == .sqlite {
            let seqs = try server.query("SELECT seq FROM events WHERE patient = '\(patient)' ORDER BY seq LIMIT 2")
            try server.execute("""
                DROP TRIGGER events_refuse_update;
                UPDATE events SET seq = -1 WHERE seq = \(seqs[0]); UPDATE events SET seq = \(seqs[0]) WHERE seq = \(seqs[1]);
                UPDATE events SET seq = \(seqs[1]) WHERE seq = -1;
                """)
            let report = try Run.process(Paths.executable("accord-server"), ["audit", "verify"] + server.databaseArguments)
            #expect(report.status != 0 && report.stdout.contains("out of the log's order"), "\(report.stdout)")
        }
    }
}

/// The kill -9 soak of `scripts/soak`, 50 rounds, on the binaries this test run built.
@Suite("Kill -9 soak")
struct SoakTests {
    @Test("50 rounds of SIGKILL to the server, to syncs and to writes: nothing lost, nothing duplicated, no site diverged, the audit log intact")
    func soak() throws {
        let script = Paths.packageRoot.appendingPathComponent("scripts/soak")
        let result = try Run.process(URL(fileURLWithPath: "/usr/bin/env"),
                                     ["python3", script.path, "--rounds", "50", "--json", "--bin", Paths.executable("accord").deletingLastPathComponent().path])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)\(result.stderr)")
        #expect(result.status == 0, "\(report)")
        #expect(report["rounds"] as? Int == 50)
        #expect((report["kills"] as? Int ?? 0) > 0, "the soak must actually kill something")
        #expect(report["lost"] as? Int == 0 && report["duplicated"] as? Int == 0 && report["diverged"] as? Int == 0, "\(report)")
        #expect(report["auditIntact"] as? Bool == true)
    }
}

/// `accord verify` checks what it can without the server, names every entry, and does not stop at the first failure.
@Suite("accord verify offline")
struct OfflineVerifyTests {
    @Test("with the server gone, verify still checks bytes and signatures of every entry and says the log was not checked")
    func offline() throws {
        let folder = TemporaryDirectory("verify-offline")
        defer { folder.remove() }
        let server = try ServerProcess(folder)
        let north = try TestSite("north", server: server, folder: folder)
        _ = try north.addPatient("Vera Fy", mrn: "V1")
        try north.run("agreement", "sign", "--patient", "V1")
        try north.sync()
        server.stop()
        let result = try north.run("verify", "--patient", "V1", "--json")
        #expect(result.status != 0, "not fully verified")
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]], "\(result.stdout)\(result.stderr)")
        #expect(entries.count == 2)
        #expect(entries.allSatisfy { $0["inLog"] as? String == "not-checked" })
        #expect(entries.contains { $0["signature"] as? String == "valid" })
        let text = try north.run("verify", "--patient", "V1").stdout
        #expect(text.contains("check out here") && text.contains("not checked"), "\(text)")
    }
}
