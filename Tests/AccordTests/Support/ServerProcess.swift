import AccordCore
import AccordStore
import Foundation
import GRDB
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real `accord-server` process on a free loopback port with its own database, for end-to-end sync tests.
final class ServerProcess: @unchecked Sendable {
    let folder: TemporaryDirectory
    let database: URL
    let log: URL
    private(set) var process: Process?
    private(set) var port: Int = 0

    var url: String { "http://127.0.0.1:\(port)" }

    init(_ folder: TemporaryDirectory, extraArguments: [String] = []) throws {
        self.folder = folder
        database = folder.path("server.sqlite")
        log = folder.path("server-\(UUID().uuidString.prefix(6)).log")
        try start(port: 0, extraArguments: extraArguments)
    }

    /// Starts the server; its output goes to a file (a pipe nobody drains would stall it).
    func start(port requested: Int, extraArguments: [String] = []) throws {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = Paths.executable("accord-server")
        process.arguments = ["serve", "--port", String(requested), "--database", database.path] + extraArguments
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: "accord-server listening on 127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                port = Int(digits) ?? 0
                return
            }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw ServerError("accord-server did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// SIGTERM (a clean stop) or SIGKILL; waits for the process to end.
    func stop(signal: Int32 = SIGTERM) {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    func restart(signal: Int32 = SIGTERM) throws {
        let previous = port
        stop(signal: signal)
        try start(port: previous)
    }

    /// Runs an administrative command against this server's database; fails the test when it fails.
    @discardableResult
    func admin(_ arguments: String...) throws -> ProcessResult {
        let result = try Run.process(Paths.executable("accord-server"), arguments + ["--database", database.path])
        guard result.status == 0 else { throw ServerError("accord-server \(arguments.joined(separator: " ")) failed: \(result.stdout)\(result.stderr)") }
        return result
    }

    /// Enrolls a site through the administrative command and returns its credential.
    func addSite(_ name: String) throws -> String {
        let result = try Run.process(Paths.executable("accord-server"), ["site", "add", name, "--database", database.path, "--json"])
        guard result.status == 0, let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String],
              let credential = json["credential"] else { throw ServerError("site add failed: \(result.stderr)") }
        return credential
    }

    func revokeSite(_ name: String) throws {
        let result = try Run.process(Paths.executable("accord-server"), ["site", "revoke", name, "--database", database.path])
        guard result.status == 0 else { throw ServerError("site revoke failed: \(result.stderr)") }
    }

    /// Every event id the server holds, read straight from its database.
    func eventIDs(patient: String? = nil) throws -> [String] {
        let queue = try DatabaseQueue(path: database.path)
        defer { try? queue.close() }
        return try queue.read { db in
            if let patient { return try String.fetchAll(db, sql: "SELECT id FROM events WHERE patient = ? ORDER BY seq", arguments: [patient]) }
            return try String.fetchAll(db, sql: "SELECT id FROM events ORDER BY seq")
        }
    }

    deinit { stop(signal: SIGKILL) }
}

struct ServerError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A clinic site for sync tests: its own store, enrolled on the server, set to sync with it.
struct TestSite {
    let name: String
    let home: URL
    let credential: String

    /// Enrolls the site and, unless `approveKey` is false, registers its clinician's signing key (by a first sync)
    /// and approves it, as an administrator would.
    init(_ name: String, server: ServerProcess, folder: TemporaryDirectory, approveKey: Bool = true) throws {
        self.name = name
        home = folder.path("site-\(name)")
        credential = try server.addSite(name)
        let initialized = try Run.accord(["init", "--site", name, "--clinician", "Dr. \(name.capitalized)", "--json"], store: home)
        #expect(initialized.status == 0)
        keyFingerprint = (try JSONSerialization.jsonObject(with: Data(initialized.stdout.utf8)) as? [String: Any])?["keyFingerprint"] as? String ?? ""
        #expect(try Run.accord(["remote", "add", server.url, "--credential", credential], store: home).status == 0)
        if approveKey {
            #expect(try Run.accord(["sync"], store: home).status == 0)
            try server.admin("key", "approve", keyFingerprint)
        }
    }

    let keyFingerprint: String

    @discardableResult
    func run(_ arguments: String...) throws -> ProcessResult { try Run.accord(arguments, store: home) }

    @discardableResult
    func sync(sourceLocation: SourceLocation = #_sourceLocation) throws -> ProcessResult {
        let result = try Run.accord(["sync"], store: home)
        #expect(result.status == 0, "sync at \(name) failed: \(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    func addPatient(_ name: String, mrn: String) throws -> String {
        let result = try Run.accord(["patient", "add", "--name", name, "--born", "1960-01-01", "--mrn", mrn, "--json"], store: home)
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return json?["id"] as? String ?? ""
    }

    func store() throws -> EventStore { try EventStore.open(at: home) }

    func eventIDs(patient: String) throws -> Set<String> { Set(try store().events(patient: patient).map(\.id.hex)) }
}

/// Raw HTTP for tests that talk to the server directly.
enum HTTP {
    struct Reply { var status: Int; var body: Data; var headers: [String: String] }

    static func send(_ method: String, _ url: String, credential: String? = nil, body: Data? = nil) async throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body
        if let credential { request.setValue("Bearer \(credential)", forHTTPHeaderField: "Authorization") }
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { return continuation.resume(throwing: error) }
                let http = response as! HTTPURLResponse
                var headers: [String: String] = [:]
                for (key, value) in http.allHeaderFields { headers[(key as! String).lowercased()] = value as? String }
                continuation.resume(returning: Reply(status: http.statusCode, body: data ?? Data(), headers: headers))
            }.resume()
        }
    }
}
