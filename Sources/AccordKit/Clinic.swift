@_exported import AccordCore
@_exported import AccordExport
@_exported import AccordStore
@_exported import AccordSync
@_exported import AccordSyncClient
import Foundation

/// What an app or the CLI does with a clinic's record: every operation a clinician performs, with every rule
/// checked once, here, and every event's parents computed here. Operations are `async` and never block a
/// caller's thread while the store syncs to disk.
///
/// A `Clinic` wraps one store: a file store (`EventStore.open(at:)`) or an in-memory one for tests and previews
/// (`EventStore.inMemory(site:clinicianName:)`).
public final class Clinic: Sendable {
    /// The store every operation reads and writes.
    public let store: EventStore

    /// A clinic over `store`.
    public init(store: EventStore) { self.store = store }

    /// What an operation recorded: the event, and the id of what it created or changed.
    public struct Recorded: Sendable {
        /// The entry written, as stored and as it will be sent.
        public let event: Event
        /// The patient the entry is about.
        public let patient: String
        /// The goal set or changed, for goal operations.
        public var goal: String?
        /// The agreement signed or changed, for agreement operations.
        public var agreement: String?
        /// The taper plan started or changed, for taper operations.
        public var plan: String?
    }

    // MARK: Reading

    /// The clinic's calendar: the time zone set when the store was made.
    public func calendar() throws(ClinicError) -> ClinicCalendar { try storing { () throws(StoreError) in try store.calendar() } }

    /// Today in the clinic's time zone.
    public func today() throws(ClinicError) -> LocalDate { try calendar().today() }

    /// Every patient in the store, by name.
    public func patients() throws(ClinicError) -> [PatientDirectoryEntry] { try storing { () throws(StoreError) in try store.patients() } }

    /// A patient's chart, by id, id prefix (4 or more characters) or MRN.
    public func chart(_ reference: String) throws(ClinicError) -> PatientChart {
        let entry = try storing { () throws(StoreError) in try store.resolvePatient(reference) }
        let events = try storing { () throws(StoreError) in try store.events(patient: entry.id) }
        guard let record = Projection.fold(events) else {
            throw ClinicError(.notFound, "Patient \(entry.id) has no registration in this store yet; sync the store and try again.")
        }
        return PatientChart(record: record, events: events, calendar: try calendar())
    }

    /// The patient list now and after every change, for a list on screen.
    public func patientListUpdates() -> AsyncThrowingStream<[PatientDirectoryEntry], any Error> { store.patientListUpdates() }

    /// A patient's record now and after every new event of theirs.
    public func recordUpdates(patient: String) -> AsyncThrowingStream<PatientRecord?, any Error> { store.recordUpdates(patient: patient) }

    // MARK: Writing

    /// Records one event for the chart's patient, its parents computed from the chart.
    /// A part of the record in conflict takes no change but a resolution: building on both sides would blend them.
    func record(_ chart: PatientChart, _ payload: EventPayload, signing: SigningIntent? = nil) async throws(ClinicError) -> Recorded {
        if let entity = payload.entity, let conflict = chart.record.conflicts.first(where: { $0.entity == entity }) {
            throw ClinicError(.inConflict, "The \(conflict.label) was changed at two places at once (\(conflict.sides.map { "\($0.stamp.by) @ \($0.stamp.site)" }.joined(separator: " and "))); resolve the conflict before changing it.")
        }
        return try await append(chart.draft(payload, signing: signing))
    }

    func append(_ draft: EventDraft) async throws(ClinicError) -> Recorded {
        do {
            let event = try await store.append([draft])[0]
            return Recorded(event: event, patient: draft.patient)
        } catch {
            throw error.code == .invalid ? ClinicError(.invalid, error.message, storeError: error) : ClinicError(error)
        }
    }
}
