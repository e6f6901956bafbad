import AccordCore
import Foundation
import GRDB

/// Reads and writes rows of the `events` table.
enum EventRows {
    static let insertSQL = """
        INSERT INTO events (id, patient, type, site, hlc_wall, hlc_logical, body, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO NOTHING
        """

    /// Inserts an event unless one with its id is already stored; true when it was new.
    @discardableResult
    static func insert(_ event: Event, _ db: Database) throws -> Bool {
        let statement = try db.cachedStatement(sql: insertSQL)
        let envelope = event.envelope
        statement.setUncheckedArguments([event.id.bytes, envelope.patient, envelope.type.rawValue, envelope.site,
                                         envelope.hlc.wall, Int64(envelope.hlc.logical), event.bytes, event.signature])
        try statement.execute()
        return db.changesCount > 0
    }

    static func fetch(patient: String, _ db: Database) throws -> [Event] {
        try decode(Row.fetchAll(db, sql: """
            SELECT id, body, signature FROM events WHERE patient = ? ORDER BY hlc_wall, hlc_logical, site, id
            """, arguments: [patient]))
    }

    static func fetch(patient: String, types: [EventType], _ db: Database) throws -> [Event] {
        let marks = types.map { _ in "?" }.joined(separator: ",")
        return try decode(Row.fetchAll(db, sql: "SELECT id, body, signature FROM events WHERE patient = ? AND type IN (\(marks))",
                                       arguments: StatementArguments([patient] + types.map(\.rawValue))))
    }

    static func fetch(patient: String, idPrefix: String, _ db: Database) throws -> [Event] {
        // Ids are stored as bytes: the prefix's hex digits become the lowest and highest ids that start with them.
        let padding = 64 - idPrefix.utf8.count
        guard padding >= 0, let lowest = HexEncoding.decode(idPrefix + String(repeating: "0", count: padding)),
              let highest = HexEncoding.decode(idPrefix + String(repeating: "f", count: padding)) else { return [] }
        return try decode(Row.fetchAll(db, sql: "SELECT id, body, signature FROM events WHERE id BETWEEN ? AND ? AND patient = ? LIMIT 2",
                                       arguments: [lowest, highest, patient]))
    }

    /// Decodes rows, checking each body against its id: a mismatch means the file was altered or damaged.
    static func decode(_ rows: [Row]) throws -> [Event] {
        try rows.map { row in
            let idBytes: Data = row["id"]
            let body: Data = row["body"]
            let signature: Data? = row["signature"]
            guard let id = EventID(bytes: idBytes) else {
                throw StoreError(.damaged, "The store holds an event with a malformed id (\(idBytes.count) bytes); it is damaged. Restore it from a backup.")
            }
            do {
                return try Event(bytes: body, expectedID: id, signature: signature)
            } catch {
                throw StoreError(.damaged, "Event \(id.short) in the store does not match its id or cannot be read (\(error)); the store is damaged. Restore it from a backup or sync again.")
            }
        }
    }
}

/// The persisted hybrid logical clock.
enum HLCState {
    static func load(_ db: Database) throws -> HybridLogicalClock {
        guard let row = try Row.fetchOne(db, sql: "SELECT wall, logical FROM hlc_state WHERE singleton = 1") else {
            return HybridLogicalClock()
        }
        return HybridLogicalClock(last: HLCTimestamp(wall: row["wall"], logical: Int32(row["logical"] as Int64)))
    }

    static func save(_ clock: HybridLogicalClock, _ db: Database) throws {
        try db.execute(sql: "UPDATE hlc_state SET wall = ?, logical = ? WHERE singleton = 1",
                       arguments: [clock.last.wall, Int64(clock.last.logical)])
    }
}

/// Keeps the patient directory equal to the fold of each patient's demographic events.
enum PatientDirectory {
    static let demographicTypes: [EventType] = EventType.allCases.filter(\.touchesDemographics)

    static func refresh(patients: Set<String>, _ db: Database) throws {
        for patient in patients {
            let events = try EventRows.fetch(patient: patient, types: demographicTypes, db)
            guard let record = Projection.fold(events) else {
                // A registration marked entered in error leaves no patient to list.
                try PatientDirectoryEntry.deleteOne(db, key: patient)
                continue
            }
            try PatientDirectoryEntry(id: patient, name: record.name, born: record.born, mrn: record.mrn).upsert(db)
        }
    }
}
