import AccordCore
import AccordStore
import AccordSync
import Foundation
import GRDB
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The server storage a test runs against: the embedded SQLite file, or a fresh database in the PostgreSQL cluster
/// named by ACCORD_TEST_POSTGRES_URL (`scripts/pg-test-cluster start` prints one; `.ci/run` always sets it).
enum ServerBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    static let adminURLVariable = "ACCORD_TEST_POSTGRES_URL"
    static var postgresAdminURL: String? { ProcessInfo.processInfo.environment[adminURLVariable].flatMap { $0.isEmpty ? nil : $0 } }
    static let howToEnable = "PostgreSQL tests skipped: no cluster configured. Run `export \(adminURLVariable)=$(scripts/pg-test-cluster start)` and `swift test` again to run every storage and sync test on PostgreSQL too."

    /// The backends this run tests: SQLite always, PostgreSQL when a cluster is configured.
    static var available: [ServerBackend] { postgresAdminURL == nil ? [.sqlite] : [.sqlite, .postgres] }
    /// PostgreSQL only, when configured (tests of what only a shared database does).
    static var postgresIfConfigured: [ServerBackend] { postgresAdminURL == nil ? [] : [.postgres] }

    var testDescription: String { rawValue }
}

/// A throw-away PostgreSQL database for one test, in the configured cluster.
enum PostgresTestDatabase {
    /// Creates a new, empty database and returns its URL.
    static func create(admin: String? = ServerBackend.postgresAdminURL) throws -> String {
        guard let admin, var components = URLComponents(string: admin) else {
            throw ServerError(ServerBackend.howToEnable)
        }
        let name = "accord_\(UUID().uuidString.prefix(8).lowercased())"
        try psql(admin, "CREATE DATABASE \(name)")
        components.path = "/" + name
        return components.string!
    }

    static func drop(_ url: String) {
        guard var admin = URLComponents(string: url), let name = URLComponents(string: url)?.path.dropFirst() else { return }
        admin.path = "/postgres"
        let adminURL = admin.string!
        _ = try? psql(adminURL, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
    }

    /// The URL as libpq reads it (sslmode and all).
    static func libpq(_ url: String) -> String { url }

    /// Runs SQL with psql and returns the rows, one line each, fields separated by '|'.
    @discardableResult
    static func psql(_ url: String, _ sql: String) throws -> [String] {
        let result = try Run.process(URL(fileURLWithPath: "/usr/bin/psql"), [libpq(url), "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql])
        guard result.status == 0 else { throw ServerError("psql failed: \(result.stderr)") }
        return result.stdout.split(separator: "\n").map(String.init)
    }
}

/// A real `accord-server` process on a free loopback port with its own database, for end-to-end sync tests.
final class ServerProcess: @unchecked Sendable {
    let folder: TemporaryDirectory
    let backend: ServerBackend
    /// The SQLite file (for the SQLite backend; tests that open it directly are SQLite-only).
    let database: URL
    /// What `--database` names: the SQLite path or the PostgreSQL URL.
    let location: String
    let signingKey: URL
    let log: URL
    /// Whether this process created the PostgreSQL database (and drops it at the end).
    private let ownsDatabase: Bool
    private(set) var process: Process?
    private(set) var port: Int = 0

    var url: String { "http://127.0.0.1:\(port)" }
    /// `--database` and `--signing-key`, for the administrative commands.
    var databaseArguments: [String] { ["--database", location, "--signing-key", signingKey.path] }

    init(_ folder: TemporaryDirectory, backend: ServerBackend = .sqlite, postgresAdminURL: String? = ServerBackend.postgresAdminURL,
         extraArguments: [String] = []) throws {
        self.folder = folder
        self.backend = backend
        database = folder.path("server.sqlite")
        signingKey = folder.path("server.signing-key")
        location = backend == .sqlite ? database.path : try PostgresTestDatabase.create(admin: postgresAdminURL)
        ownsDatabase = backend == .postgres
        log = folder.path("server-\(UUID().uuidString.prefix(6)).log")
        try start(port: 0, extraArguments: extraArguments)
    }

    /// A database with the server's schema, as its migrations make it, and no server running on it.
    static func stopped(_ folder: TemporaryDirectory, backend: ServerBackend) throws -> ServerProcess {
        let server = try ServerProcess(folder, backend: backend)
        server.stop()
        return server
    }

    /// Another instance in front of the same database, with the same signing key, on its own port.
    init(sharingDatabaseOf other: ServerProcess) throws {
        folder = other.folder; backend = other.backend; database = other.database; location = other.location
        signingKey = other.signingKey; ownsDatabase = false
        log = folder.path("server-\(UUID().uuidString.prefix(6)).log")
        try start(port: 0)
    }

    /// A PostgreSQL instance on a database `accord-server migrate` filled from `old`'s SQLite file, with its key.
    init(migratedTo url: String, from old: ServerProcess) throws {
        folder = old.folder; backend = .postgres; database = old.database; location = url
        signingKey = old.signingKey; ownsDatabase = false
        log = folder.path("server-\(UUID().uuidString.prefix(6)).log")
        try start(port: 0)
    }

    /// Starts the server; its output goes to a file (a pipe nobody drains would stall it).
    func start(port requested: Int, extraArguments: [String] = []) throws {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = Paths.executable("accord-server")
        // PostgreSQL's URL comes from the environment, as an administrator keeps a password off the command line.
        process.arguments = ["serve", "--port", String(requested), "--signing-key", signingKey.path]
            + (backend == .sqlite ? ["--database", location] : []) + extraArguments
        if backend == .postgres { process.environment = ProcessInfo.processInfo.environment.merging(["ACCORD_SERVER_DATABASE": location]) { $1 } }
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
        let result = try Run.process(Paths.executable("accord-server"), arguments + databaseArguments)
        guard result.status == 0 else { throw ServerError("accord-server \(arguments.joined(separator: " ")) failed: \(result.stdout)\(result.stderr)") }
        return result
    }

    /// Enrolls a site through the administrative command and returns its credential.
    func addSite(_ name: String) throws -> String {
        let result = try Run.process(Paths.executable("accord-server"), ["site", "add", name, "--json"] + databaseArguments)
        guard result.status == 0, let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: String],
              let credential = json["credential"] else { throw ServerError("site add failed: \(result.stderr)") }
        return credential
    }

    func revokeSite(_ name: String) throws {
        let result = try Run.process(Paths.executable("accord-server"), ["site", "revoke", name] + databaseArguments)
        guard result.status == 0 else { throw ServerError("site revoke failed: \(result.stderr)") }
    }

    /// Every event id the server holds, read straight from its database.
    func eventIDs(patient: String? = nil) throws -> [String] {
        let condition = patient.map { " WHERE patient = '\($0)'" } ?? ""
        return try query("SELECT \(backend == .postgres ? "encode(id, 'hex')" : "lower(hex(id))") FROM events\(condition) ORDER BY seq")
    }

    /// An event's stored signature in lowercase hex, read straight from the server's database.
    func signatureHex(event id: String) throws -> String? {
        let sql = backend == .postgres ? "SELECT encode(signature, 'hex') FROM events WHERE id = decode('\(id)', 'hex')"
                                       : "SELECT lower(hex(signature)) FROM events WHERE id = X'\(id)'"
        return try query(sql).first
    }

    /// Runs `sql` straight on the server's database, behind the server's back (foreign keys not enforced on SQLite).
    func execute(_ sql: String) throws {
        if backend == .postgres { _ = try PostgresTestDatabase.psql(location, sql); return }
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let queue = try DatabaseQueue(path: database.path, configuration: configuration)
        defer { try? queue.close() }
        try queue.write { db in try db.execute(sql: sql) }
    }

    /// The first column of every row `sql` returns, as text, read straight from the server's database.
    func query(_ sql: String) throws -> [String] {
        if backend == .postgres { return try PostgresTestDatabase.psql(location, sql).map { String($0.split(separator: "|", omittingEmptySubsequences: false)[0]) } }
        let queue = try DatabaseQueue(path: database.path)
        defer { try? queue.close() }
        return try queue.read { db in try String.fetchAll(db, sql: sql) }
    }

    deinit {
        stop(signal: SIGKILL)
        if ownsDatabase { PostgresTestDatabase.drop(location) }
    }
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
        try self.init(name, store: "site-\(name)", clinician: "Dr. \(name.capitalized)", credential: try server.addSite(name),
                      server: server, folder: folder, approveKey: approveKey)
    }

    /// Another clinician's store at an enrolled site: its own store and key, the site's credential.
    init(joining site: TestSite, clinician: String, server: ServerProcess, folder: TemporaryDirectory, approveKey: Bool = true) throws {
        try self.init(site.name, store: "site-\(site.name)-\(clinician.filter(\.isLetter).lowercased())", clinician: clinician,
                      credential: site.credential, server: server, folder: folder, approveKey: approveKey)
    }

    private init(_ name: String, store: String, clinician: String, credential: String, server: ServerProcess, folder: TemporaryDirectory,
                 approveKey: Bool) throws {
        self.name = name
        home = folder.path(store)
        self.credential = credential
        let initialized = try Run.accord(["init", "--site", name, "--clinician", clinician, "--json"], store: home)
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

/// A fresh server on `backend` with two enrolled sites, north and south, whose clinicians' keys are approved.
func northAndSouth(_ folder: TemporaryDirectory, backend: ServerBackend) throws -> (ServerProcess, TestSite, TestSite) {
    let server = try ServerProcess(folder, backend: backend)
    return (server, try TestSite("north", server: server, folder: folder), try TestSite("south", server: server, folder: folder))
}

/// `accord sync` on a store, started in the background (output discarded) for tests that kill it or run several.
func startSync(_ home: URL) throws -> Process {
    let process = Process()
    process.executableURL = Paths.executable("accord")
    process.arguments = ["sync", "--store", home.path]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// Raw HTTP for tests that talk to the server directly.
enum HTTP {
    struct Reply { var status: Int; var body: Data; var headers: [String: String] }

    static func send(_ method: String, _ url: String, credential: String? = nil, body: Data? = nil, headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body
        // A body goes with the type its route reads, as Accord's client sends it (URLSession would say form data).
        if body != nil, !headers.keys.contains(where: { $0.lowercased() == "content-type" }) {
            request.setValue(url.contains(SyncWire.eventsPath) ? SyncWire.contentType : "application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
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
