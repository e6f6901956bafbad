import AccordCore
import GRDB

/// SQL functions that the system's SQLite (3.40, before `unhex`) does not have, for the migration files and for
/// queries that find an event by an id written as hex (the audit log's entries). Registered on every connection.
public enum SchemaFunctions {
    /// `id_bytes(hex)`: the 32 bytes an event id's 64 hex digits spell. A value that is not an id stops the
    /// migration (the CHECK on the new column refuses NULL), so no row is copied with a damaged id.
    static let idBytes = DatabaseFunction("id_bytes", argumentCount: 1, pure: true) { values in
        guard let text = String.fromDatabaseValue(values[0]), let id = EventID(hex: text) else { return nil }
        return id.bytes
    }

    public static func register(in db: Database) {
        db.add(function: idBytes)
    }
}
