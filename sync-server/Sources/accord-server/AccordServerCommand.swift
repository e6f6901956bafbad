import AccordServer
import ArgumentParser
import Foundation
import Hummingbird
import Logging

@main
struct AccordServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord-server",
        abstract: "The sync server for Accord sites: stores every site's events and gives each site its care teams' records.",
        subcommands: [Serve.self, SiteCommand.self, KeyCommand.self, AuditorCommand.self, AuditCommand.self, WitnessCommand.self, MigrateCommand.self]
    )
}

/// `--database PATH|URL` (the server's SQLite file, created on first use, or a `postgres://` URL; default from
/// ACCORD_SERVER_DATABASE) and `--signing-key PATH` (the key that signs the audit log's checkpoints, default beside
/// a SQLite database; required with PostgreSQL, from ACCORD_SERVER_SIGNING_KEY too).
struct DatabaseOption: ParsableArguments {
    @Option(help: ArgumentHelp("The server database: a file (created on first use) or a postgres:// URL. Default: $\(ServerStorage.databaseVariable), else \(ServerStorage.defaultDatabase).", valueName: "path-or-url"))
    var database: String?
    @Option(name: .customLong("signing-key"), help: ArgumentHelp("The server's checkpoint signing key (created on first use, mode 0600). Default: $\(ServerStorage.signingKeyVariable), else beside a SQLite database; required with PostgreSQL, the same file for every instance.", valueName: "path"))
    var signingKey: String?

    var location: String { ServerStorage.location(database) }

    /// Administrative commands log only warnings (the connection pool's retries are for the server's log).
    static var quietLogger: Logger {
        var logger = Logger(label: "accord-server")
        logger.logLevel = .warning
        return logger
    }

    func open(logger: Logger = DatabaseOption.quietLogger) async throws -> any ServerRepository {
        try await ServerStorage.open(location, signingKey: signingKey, logger: logger)
    }

    /// Opens an existing storage only: a mistyped SQLite path is refused instead of creating an empty database
    /// that would then read as "intact" or "nothing found".
    func existing<T>(_ body: (any ServerRepository) async throws -> T) async throws -> T {
        if !location.hasPrefix("postgres://") && !location.hasPrefix("postgresql://"),
           !FileManager.default.fileExists(atPath: location) {
            throw ValidationError("No server database at \(location); check --database (or $\(ServerStorage.databaseVariable)). Nothing was created.")
        }
        return try await with(body)
    }

    /// Opens the storage, runs `body`, and closes the storage whatever happens.
    func with<T>(_ body: (any ServerRepository) async throws -> T) async throws -> T {
        let repository = try await open()
        do {
            let result = try await body(repository)
            await repository.close()
            return result
        } catch {
            await repository.close()
            throw error
        }
    }
}

func nowMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

func printJSON<T: Encodable>(_ value: T) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the server until SIGTERM or Ctrl-C.")

    @OptionGroup var database: DatabaseOption
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on; 0 picks a free one (printed on start).") var port = 8080
    @Option(name: .customLong("max-clock-skew"), help: ArgumentHelp("Seconds an event's clock may run ahead of the server's.", valueName: "seconds"))
    var maximumClockSkew = 300
    @Option(name: .customLong("witness-interval"), help: ArgumentHelp("Seconds between rounds that send new checkpoints to the log's witnesses.", valueName: "seconds"))
    var witnessInterval = 10
    @Option(name: .customLong("rate-limit"), help: ArgumentHelp("Requests per second allowed from one address (0: no limit); past it, 429 with Retry-After.", valueName: "per-second"))
    var rateLimit = 50.0
    @Option(name: .customLong("rate-burst"), help: ArgumentHelp("Requests one address may send at once before the rate applies.", valueName: "requests"))
    var rateBurst = 500
    @Option(name: .customLong("refusal-window"), help: ArgumentHelp("Refused credentials go to the audit log as one counted summary per address, credential prefix and route per window of this many seconds.", valueName: "seconds"))
    var refusalWindow = 60
    @Option(name: .customLong("idle-timeout"), help: ArgumentHelp("Seconds a connection may sit idle, or take to send a request's headers, before it is closed.", valueName: "seconds"))
    var idleTimeout = 30
    @Option(name: .customLong("body-timeout"), help: ArgumentHelp("Seconds a request's body may take to arrive before the answer is 408.", valueName: "seconds"))
    var bodyTimeout = 30
    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("The certificate chain to serve https with (PEM); with --tls-key.", valueName: "path"))
    var tlsCertificate: String?
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The private key of --tls-cert (PEM, unencrypted, readable by the server only).", valueName: "path"))
    var tlsKey: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535 (0 picks a free port); \(port) is not a port.") }
        guard (1...86_400).contains(maximumClockSkew) else { throw ValidationError("--max-clock-skew must be 1 to 86400 seconds.") }
        guard rateLimit >= 0, rateLimit.isFinite else { throw ValidationError("--rate-limit must be 0 (no limit) or more requests per second.") }
        guard (1...1_000_000).contains(rateBurst) else { throw ValidationError("--rate-burst must be 1 to 1000000 requests.") }
        guard (1...3600).contains(idleTimeout), (1...3600).contains(bodyTimeout) else {
            throw ValidationError("--idle-timeout and --body-timeout must be 1 to 3600 seconds.")
        }
        guard (1...3600).contains(refusalWindow) else { throw ValidationError("--refusal-window must be 1 to 3600 seconds.") }
        guard (1...3600).contains(witnessInterval) else { throw ValidationError("--witness-interval must be 1 to 3600 seconds.") }
        guard (tlsCertificate == nil) == (tlsKey == nil) else {
            throw ValidationError("--tls-cert and --tls-key go together: the certificate chain and its private key, both PEM.")
        }
    }

    func run() async throws {
        var logger = Logger(label: "accord-server")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let repository = try await database.open(logger: logger)
        let configuration = SyncServerConfiguration(host: host, port: port, maximumClockSkewMilliseconds: Int64(maximumClockSkew) * 1000,
                                                    rateLimit: rateLimit, rateBurst: rateBurst, refusalWindowSeconds: refusalWindow,
                                                    idleTimeout: .seconds(idleTimeout), bodyTimeout: .seconds(bodyTimeout),
                                                    tls: tlsCertificate.flatMap { certificate in tlsKey.map { (certificate, $0) } })
        var withWitnesses = configuration
        withWitnesses.witnessInterval = .seconds(witnessInterval)
        let app = try SyncServer.buildApplication(repository: repository, configuration: withWitnesses, logger: logger) { port in
            // Tests and scripts read this line to learn the port.
            print("accord-server listening on \(configuration.host):\(port)\(configuration.tls == nil ? " (plain http: put https in front, or use --tls-cert)" : " (https)")")
            fflush(nil)
        }
        try await app.runService()
        await repository.close()
        logger.info("accord-server stopped cleanly")
    }
}

struct SiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "site",
        abstract: "Enroll, revoke and list sites; works while the server runs.",
        subcommands: [Add.self, Revoke.self, List.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Enroll a site and print its credential once; only a hash is kept.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The site's name, as its store was created with (`accord init --site`).") var name: String
        @Flag(help: "Print {\"site\", \"credential\"} as JSON.") var json = false

        func run() async throws {
            let credential = try await database.with { try await $0.addSite(name, now: nowMilliseconds()) }
            if json {
                let data = try JSONSerialization.data(withJSONObject: ["site": name, "credential": credential], options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("Enrolled site '\(name)'. Its credential, shown only now:")
                print(credential)
                print("At the site: accord remote add URL --credential \(credential)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a site's credential at once.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The site's name.") var name: String

        func run() async throws {
            try await database.existing { try await $0.revokeSite(name, now: nowMilliseconds()) }
            print("Revoked site '\(name)'; its credential no longer works.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List enrolled sites.")
        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let sites = try await database.existing { try await $0.sites() }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                return print(String(decoding: try encoder.encode(sites), as: UTF8.self))
            }
            for site in sites { print("\(site.site)  enrolled \(site.createdAt)\(site.revokedAt.map { "  REVOKED \($0)" } ?? "")") }
        }
    }
}
