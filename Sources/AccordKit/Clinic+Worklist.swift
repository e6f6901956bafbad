import AccordCore
import AccordStore

extension Clinic {
    /// The day's worklist across every patient in the store (see `Worklist`): flags grouped and ordered by urgency,
    /// taper steps due within `days`, open conflicts.
    public func worklist(days: Int = 7, settings: FlagSettings? = nil) throws(ClinicError) -> [WorkItem] {
        guard (1...366).contains(days) else { throw ClinicError(.invalid, "The window is 1 to 366 days; \(days) was given.") }
        let calendar = try calendar()
        var records: [PatientRecord] = []
        for entry in try patients() {
            let events = try storing { () throws(StoreError) in try store.events(patient: entry.id) }
            if let record = Projection.fold(events) { records.append(record) }
        }
        return Worklist.items(records, on: calendar.today(), days: days, settings: settings ?? FlagSettings(calendar: calendar))
    }
}
