import AccordCore
import AccordSync
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
        let server = try ServerProcess(folder, extraArguments: ["--rate-limit", "0", "--refusal-window", "1"])
        _ = try server.addSite("north")
        let files = [server.database.path, server.database.path + "-wal", server.log.path]
        let before = bytes(files)
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
        try await Task.sleep(for: .milliseconds(2500))  // the last window closes and is written
        let grown = bytes(files) - before
        #expect(grown < 1_000_000, "grew \(grown) bytes")
        let summaries = try server.query("SELECT CAST(entry AS TEXT) FROM audit_log WHERE kind = 'credential.refused'")
        #expect(!summaries.isEmpty && summaries.count <= 6 * 4, "\(summaries.count) summaries")
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

    @Test("past its rate an address gets 429 with Retry-After on every route, and is served again after waiting")
    func rateLimit() async throws {
        let folder = TemporaryDirectory("rate")
        defer { folder.remove() }
        let server = try ServerProcess(folder, extraArguments: ["--rate-limit", "2", "--rate-burst", "5"])
        let credential = try server.addSite("north")
        var statuses: [Int] = []
        var retryAfter: String?
        for path in [SyncWire.healthPath, SyncWire.eventsPath, SyncWire.checkpointPath, SyncWire.sitePath, "/audit", SyncWire.eventsPath, SyncWire.healthPath, SyncWire.sitePath] {
            let reply = try await HTTP.send("GET", server.url + path, credential: credential)
            statuses.append(reply.status)
            if reply.status == 429 { retryAfter = reply.headers["retry-after"] }
        }
        #expect(statuses.prefix(5).allSatisfy { $0 != 429 } && statuses.suffix(3).allSatisfy { $0 == 429 }, "\(statuses)")
        let wait = try #require(retryAfter.flatMap(Int.init))
        #expect((1...5).contains(wait))
        // A bad credential costs more: after one, the address waits longer.
        try await Task.sleep(for: .seconds(3))
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
}
