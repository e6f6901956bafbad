import AccordCore
import Foundation
import GRDB

extension EventStore {
    /// The clinic's time zone as recorded at `accord init`; nil for a store made before Accord kept one.
    public func timeZoneIdentifier() throws(StoreError) -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT time_zone FROM clinic_settings") }
    }

    /// The clinic's calendar: the recorded zone, or the system's for a store that has none.
    public func calendar() throws(StoreError) -> ClinicCalendar {
        guard let identifier = try timeZoneIdentifier() else { return ClinicCalendar(timeZone: .current) }
        guard let calendar = ClinicCalendar(identifier: identifier) else {
            throw StoreError(.damaged, "The store's time zone '\(identifier)' is not one this system knows; update the system's time zone data.")
        }
        return calendar
    }

    /// Records the clinic's time zone once; a store that has one keeps it.
    public func recordTimeZone(_ identifier: String) throws(StoreError) {
        try EventStore.checkTimeZone(identifier)
        try write { db in
            try db.execute(sql: "INSERT INTO clinic_settings (singleton, time_zone) VALUES (1, ?) ON CONFLICT (singleton) DO NOTHING",
                           arguments: [identifier])
        }
    }

    static func checkTimeZone(_ identifier: String) throws(StoreError) {
        guard ClinicCalendar(identifier: identifier) != nil, !identifier.isEmpty, identifier.count <= 64 else {
            throw StoreError(.invalid, "'\(identifier)' is not a time zone; give an IANA name such as America/Denver or Europe/London.")
        }
    }
}
