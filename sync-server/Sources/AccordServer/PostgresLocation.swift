import Foundation
import NIOSSL
import PostgresNIO

/// A `postgres://user:password@host:port/database?sslmode=...` URL, read into postgres-nio's configuration.
/// The password may instead come from `PGPASSWORD`, so it need not sit in a URL on a command line.
struct PostgresLocation: Sendable {
    var host: String
    var port: Int
    var user: String
    var password: String?
    var database: String
    var sslMode: String

    static func isURL(_ text: String) -> Bool { text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") }

    init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let url = URLComponents(string: text), Self.isURL(text), let host = url.host, !host.isEmpty else {
            throw ServerError("The database URL is not a PostgreSQL URL; write it as postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE (the password can come from PGPASSWORD instead).")
        }
        guard let user = url.user?.removingPercentEncoding, !user.isEmpty else {
            throw ServerError("The database URL names no user; write postgres://USER@HOST/DATABASE.")
        }
        let database = String(url.path.dropFirst()).removingPercentEncoding ?? ""
        guard !database.isEmpty, !database.contains("/") else {
            throw ServerError("The database URL names no database; write postgres://USER@HOST[:PORT]/DATABASE.")
        }
        self.host = host
        port = url.port ?? 5432
        self.user = user
        password = url.password?.removingPercentEncoding ?? environment["PGPASSWORD"]
        self.database = database
        sslMode = url.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        guard ["disable", "prefer", "require", "verify-full"].contains(sslMode) else {
            throw ServerError("sslmode=\(sslMode) is not supported; use disable, prefer, require or verify-full.")
        }
    }

    /// The location without its password, for messages and logs.
    var redacted: String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// As libpq reads sslmode: prefer and require encrypt without checking the certificate; verify-full checks it.
    var tlsConfiguration: TLSConfiguration? {
        switch sslMode {
        case "disable": return nil
        case "verify-full": return .makeClientConfiguration()
        default:
            var unchecked = TLSConfiguration.makeClientConfiguration()
            unchecked.certificateVerification = .none
            return unchecked
        }
    }

    /// One connection's settings, for the probe that names a wrong user, password or database at start-up (the pool
    /// only retries, and would say nothing more precise than "no connection").
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        if let tlsConfiguration {
            let context = try NIOSSLContext(configuration: tlsConfiguration)
            tls = sslMode == "prefer" ? .prefer(context) : .require(context)
        } else {
            tls = .disable
        }
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }

    func configuration() -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        if let tlsConfiguration {
            tls = sslMode == "prefer" ? .prefer(tlsConfiguration) : .require(tlsConfiguration)
        } else {
            tls = .disable
        }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 10
        return configuration
    }
}
