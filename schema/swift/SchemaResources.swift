import Foundation

/// The files in `schema/`, shipped with the code as resources: numbered SQL migrations and event JSON Schemas.
public enum SchemaResources {
    /// A numbered migration: its file name without `.sql` (the migration's permanent name) and its SQL.
    public struct Migration: Sendable {
        public let name: String
        let url: URL

        /// The SQL, read when the migration runs: every `accord` command opens its store and compares the names
        /// applied with the names shipped, and reading every file for that cost it eight file reads.
        public func sql() throws -> String {
            try String(contentsOf: url, encoding: .utf8)
        }
    }

    /// The SQLite migrations in the order they apply (by file name, which starts with the number).
    public static func sqliteMigrations() throws -> [Migration] {
        try migrations(in: "sqlite")
    }

    /// The sync server's SQLite migrations, in order.
    public static func serverSQLiteMigrations() throws -> [Migration] {
        try migrations(in: "server-sqlite")
    }

    /// The sync server's PostgreSQL migrations, in order.
    public static func serverPostgresMigrations() throws -> [Migration] {
        try migrations(in: "postgres")
    }

    /// The JSON Schema for an event type (`schema/events/<type>.json`), as text.
    public static func eventSchema(named type: String) throws -> Data {
        guard let url = Bundle.module.url(forResource: type, withExtension: "json", subdirectory: "events") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "events/\(type).json"])
        }
        return try Data(contentsOf: url)
    }

    /// Where the event schemas lie on disk, for validators that resolve references between files.
    public static var eventSchemaDirectory: URL? {
        Bundle.module.resourceURL?.appendingPathComponent("events")
    }

    static func migrations(in folder: String) throws -> [Migration] {
        guard let directory = Bundle.module.resourceURL?.appendingPathComponent(folder) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: folder])
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".sql") }
            .sorted()
        return files.map { file in Migration(name: String(file.dropLast(4)), url: directory.appendingPathComponent(file)) }
    }
}
