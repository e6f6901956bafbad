import Foundation
import Testing

/// The administrator's side of accord-server: bad input gets one clear line and a non-zero exit, with no SQL in it.
@Suite("accord-server administrative commands")
struct ServerCommandTests {
    @Test("bad input is refused with a message that says what to do", arguments: [
        (["serve", "--port", "99999"], "--port must be 0 to 65535"),
        (["serve", "--max-clock-skew", "0"], "--max-clock-skew must be 1 to 86400"),
        (["site", "add", "North Clinic"], "is not valid"),
        (["site", "revoke", "nobody"], "No enrolled, unrevoked site is named 'nobody'"),
    ] as [([String], String)])
    func badInput(arguments: [String], message: String) throws {
        let folder = TemporaryDirectory("admin")
        defer { folder.remove() }
        let database = folder.path("server.sqlite").path
        // A database that exists, so each command gets as far as its own check.
        #expect(try Run.process(Paths.executable("accord-server"), ["site", "add", "existing", "--database", database]).status == 0)
        let result = try Run.process(Paths.executable("accord-server"), arguments + ["--database", database])
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test("a PostgreSQL URL that cannot work is named with what to fix, quickly, and nothing is created")
    func postgresURLProblems() throws {
        let folder = TemporaryDirectory("admin-pg")
        defer { folder.remove() }
        let key = folder.path("server.signing-key").path
        var cases: [([String], String)] = [
            (["--database", "postgres://127.0.0.1/accord", "--signing-key", key], "names no user"),
            (["--database", "postgres://accord@127.0.0.1/accord?sslmode=sometimes", "--signing-key", key], "sslmode=sometimes is not supported"),
            (["--database", "postgres://accord@127.0.0.1:1/accord?sslmode=disable"], "give --signing-key"),
            (["--database", "postgres://accord@127.0.0.1:1/accord?sslmode=disable", "--signing-key", key], "could not be reached"),
        ]
        if let admin = ServerBackend.postgresAdminURL, var missing = URLComponents(string: admin) {
            missing.path = "/accord_missing_database"
            cases.append((["--database", missing.string!, "--signing-key", key], "has no such database"))
        }
        for (arguments, message) in cases {
            let started = Date()
            let result = try Run.process(Paths.executable("accord-server"), ["site", "list"] + arguments)
            #expect(result.status != 0)
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(Date().timeIntervalSince(started) < 10, "\(arguments) took too long")
            #expect(!FileManager.default.fileExists(atPath: key), "no signing key is made for a database that was never opened")
        }
    }

    @Test("a file that is not a server database is named as such, without SQL; enrolling twice is refused")
    func damagedAndDuplicate() throws {
        let folder = TemporaryDirectory("admin")
        defer { folder.remove() }
        let garbage = folder.path("garbage.sqlite")
        try Data("not a database at all, just text".utf8).write(to: garbage)
        let damaged = try Run.process(Paths.executable("accord-server"), ["site", "list", "--database", garbage.path])
        #expect(damaged.status != 0)
        #expect(damaged.stderr.contains("is not an accord-server database, or it is damaged"))
        #expect(!damaged.stderr.contains("SELECT") && !damaged.stderr.contains("SQLite error"))
        let database = folder.path("server.sqlite").path
        #expect(try Run.process(Paths.executable("accord-server"), ["site", "add", "north", "--database", database]).status == 0)
        let again = try Run.process(Paths.executable("accord-server"), ["site", "add", "north", "--database", database])
        #expect(again.status != 0 && again.stderr.contains("already enrolled"))
    }
}
