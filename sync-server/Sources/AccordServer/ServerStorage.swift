import Foundation
import Hummingbird
import Logging

/// Opens the server's storage from `--database`: a file path is the embedded SQLite database, a `postgres://` URL
/// the shared PostgreSQL database. The variable `ACCORD_SERVER_DATABASE` stands in when no `--database` is given, so
/// a password need not sit on a command line.
public enum ServerStorage {
    public static let databaseVariable = "ACCORD_SERVER_DATABASE"
    public static let signingKeyVariable = "ACCORD_SERVER_SIGNING_KEY"
    public static let defaultDatabase = "accord-server.sqlite"

    /// The database named on the command line, else in the environment, else the default file.
    public static func location(_ option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        option ?? environment[databaseVariable].flatMap { $0.isEmpty ? nil : $0 } ?? defaultDatabase
    }

    public static func isPostgres(_ location: String) -> Bool { PostgresLocation.isURL(location) }

    public static func open(_ location: String, signingKey: String?, logger: Logger = Logger(label: "accord-server.storage"),
                            environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> any ServerRepository {
        let keyPath = signingKey ?? environment[signingKeyVariable].flatMap { $0.isEmpty ? nil : $0 }
        if isPostgres(location) { return try await PostgresSyncRepository(url: location, signingKeyPath: keyPath, logger: logger) }
        return try SQLiteSyncRepository(path: location, signingKeyPath: keyPath)
    }
}

extension StorageUnavailable: HTTPResponseError {
    public var status: HTTPResponse.Status { .serviceUnavailable }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        try APIError(status: .serviceUnavailable, code: .storageUnavailable,
                     message: "The server's database is not reachable just now; nothing from this request was stored. Try again shortly.")
            .response(from: request, context: context)
    }
}
