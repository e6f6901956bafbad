import AccordCore
import AccordExport
import AccordLog
import AccordStore
import AccordSyncClient
import Foundation

extension Clinic {
    /// The patient's record as a FHIR R4 bundle (Patient, Goal, Consent, Contract, CarePlan, QuestionnaireResponse,
    /// Provenance with signatures), stamped `exportedAt` (now when nil).
    public func fhirBundle(_ chart: PatientChart, exportedAt: Date = Date()) -> FHIRValue {
        let milliseconds = Int64((exportedAt.timeIntervalSince1970 * 1000).rounded(.down))
        return FHIRBundle.build(chart.record, exportedAt: Timestamp.iso8601(epochMilliseconds: milliseconds), events: chart.events)
    }

    /// The patient's own copy in plain words: goals, what was discussed, the agreement, the taper, whom to call.
    public func handout(_ chart: PatientChart, contact: String? = nil) -> Handout {
        Handout(record: chart.record, on: chart.today, contact: contact, calendar: chart.calendar)
    }

    /// Checks each of the patient's entries: its bytes, its signature, and an inclusion proof from the server's
    /// audit log against a checkpoint consistent with the last one this site verified.
    /// With `witnesses`, the entries must also lie in a checkpoint `required` of them (all when nil) cosigned.
    public func verify(_ chart: PatientChart, witnesses: [WitnessKey] = [], required: Int? = nil) async throws(ClinicError) -> [EventVerification] {
        guard (0...witnesses.count).contains(required ?? witnesses.count) else {
            throw ClinicError(.invalid, "Require 0 to \(witnesses.count) cosignatures: that many witnesses were given.")
        }
        do {
            return try await SyncClient(store: store).verify(chart.events, witnesses: witnesses, required: required ?? witnesses.count)
        } catch let error as SyncError {
            throw ClinicError(.sync, error.description, syncError: error)
        } catch let error as StoreError {
            throw ClinicError(error)
        } catch {
            throw ClinicError(.sync, "Verification failed: \(error)")
        }
    }
}
