import AccordCore
import GRDB

extension EventStore {
    /// The patient list now and again after every change that touches it, whoever wrote it (this clinician, a
    /// sync, an import), so a list on screen refreshes by itself. Ends when the consumer stops iterating.
    public func patientListUpdates() -> AsyncThrowingStream<[PatientDirectoryEntry], any Error> {
        stream(ValueObservation.tracking(Self.patientList))
    }

    /// A patient's record now and after every new event of theirs; nil until their registration arrives.
    public func recordUpdates(patient: String) -> AsyncThrowingStream<PatientRecord?, any Error> {
        stream(ValueObservation.tracking { db in Projection.fold(try EventRows.fetch(patient: patient, db)) })
    }

    private func stream<Value: Sendable>(_ observation: ValueObservation<ValueReducers.Fetch<Value>>) -> AsyncThrowingStream<Value, any Error> {
        let values = observation.values(in: writer)
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await value in values { continuation.yield(value) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
