import AccordCore
import AccordStore
import Foundation

extension Clinic {
    /// An entry of the chart's patient by id or id prefix (6 or more hex digits).
    public func entry(_ chart: PatientChart, _ reference: String) throws(ClinicError) -> Event {
        try storing { () throws(StoreError) in try store.event(patient: chart.record.id, reference: reference) }
    }

    /// Marks an entry as recorded in error: it stays readable but no longer counts.
    public func markEnteredInError(_ chart: PatientChart, entry: Event, reason: String) async throws(ClinicError) -> Recorded {
        try await append(EventDraft(patient: chart.record.id, payload: .entryEnteredInError(EntryEnteredInError(target: entry.id, reason: reason)),
                                    parents: [entry.id]))
    }

    /// Replaces fields of an entry: each value is read as JSON when it parses, else as text. The corrected entry
    /// must be a valid entry of the same kind; the original stays readable.
    public func correct(_ chart: PatientChart, entry: Event, fields: [(name: String, value: String)], reason: String) async throws(ClinicError) -> Recorded {
        let replacement = try Self.replacement(for: entry.envelope.payload, fields: fields)
        return try await append(EventDraft(patient: chart.record.id, payload: .entryCorrected(EntryCorrected(target: entry.id, reason: reason, replacement: replacement)),
                                           parents: [entry.id]))
    }

    static func replacement(for original: EventPayload, fields: [(name: String, value: String)]) throws(ClinicError) -> EventPayload {
        switch original {
        case .entryCorrected, .entryEnteredInError:
            throw ClinicError(.notAllowed, "That entry is itself a correction; correct the original entry instead.")
        default: break
        }
        guard !fields.isEmpty else { throw ClinicError(.invalid, "Name at least one field to correct.") }
        do {
            var object = try original.jsonObject()
            for field in fields {
                if ["goal", "agreement", "plan"].contains(field.name) {
                    throw ClinicError(.notAllowed, "The '\(field.name)' an entry belongs to cannot be corrected; mark the entry entered in error and record it again.")
                }
                object[field.name] = (try? JSONSerialization.jsonObject(with: Data(field.value.utf8), options: [.fragmentsAllowed])) ?? field.value
            }
            let payload = try EventPayload.decode(original.type, json: try JSONSerialization.data(withJSONObject: object))
            try EventRules.validate(payload)
            // A field the type does not know would be dropped silently when decoding; refuse it instead.
            let kept = try payload.jsonObject()
            for field in fields where kept[field.name] == nil {
                throw ClinicError(.invalid, "A \(original.type.rawValue) entry has no field '\(field.name)'; its fields include \(kept.keys.sorted().joined(separator: ", ")).")
            }
            return payload
        } catch let error as ClinicError {
            throw error
        } catch let error as RuleViolation {
            throw ClinicError(.invalid, "The corrected entry would not be valid: \(error.message).")
        } catch {
            throw ClinicError(.invalid, "The corrected values do not fit a \(original.type.rawValue) entry (\(describe(error))).")
        }
    }

    static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error { return context.debugDescription }
        if case DecodingError.typeMismatch(_, let context) = error { return "wrong kind of value at \(context.codingPath.map(\.stringValue).joined(separator: "."))" }
        if case DecodingError.keyNotFound(let key, _) = error { return "missing \(key.stringValue)" }
        return String(describing: error)
    }
}

/// One open conflict: a goal, agreement, taper plan, list or demographics changed at two places at once.
public struct OpenConflict: Sendable {
    /// The patient's id.
    public let patient: String
    /// The patient's name.
    public let name: String
    /// What changed, with each side's author, site, time and outcome.
    public let conflict: ConflictState
}

extension Clinic {
    /// Every open conflict in the store.
    public func conflicts() throws(ClinicError) -> [OpenConflict] {
        try conflicts(patients: try patients().map(\.id))
    }

    /// The open conflicts of these patients.
    public func conflicts(patients: [String]) throws(ClinicError) -> [OpenConflict] {
        var found: [OpenConflict] = []
        for patient in patients {
            // Most records have no conflict: the entries that change a part of the record tell, without the rest.
            let changes = try storing { () throws(StoreError) in try store.events(patient: patient, types: EventType.entityChanging) }
            guard Projection.hasOpenConflicts(changes) else { continue }
            let events = try storing { () throws(StoreError) in try store.events(patient: patient) }
            guard let record = Projection.fold(events) else { continue }
            found += record.conflicts.map { OpenConflict(patient: patient, name: record.name, conflict: $0) }
        }
        return found
    }

    /// Resolves a conflict by keeping one side: a `conflict.resolved` entry that builds on every side, so every
    /// site folds the kept side's outcome and the others are set aside (still readable in the timeline).
    public func resolveConflict(_ chart: PatientChart, keep kept: Event, reason: String? = nil) async throws(ClinicError) -> Recorded {
        guard let entity = kept.envelope.payload.entity,
              let conflict = chart.record.conflicts.first(where: { $0.entity == entity }), conflict.heads.contains(kept.id) else {
            let open = chart.record.conflicts.flatMap(\.heads).map(\.short)
            throw ClinicError(.notFound, "Entry \(kept.id.short) is not a side of an open conflict" + (open.isEmpty ? "; this patient has none." : "; the sides are \(open.joined(separator: ", ")).") )
        }
        let resolution = ConflictResolved(entity: entity, kept: kept.id, setAside: conflict.heads.filter { $0 != kept.id }, reason: reason)
        return try await append(EventDraft(patient: chart.record.id, payload: .conflictResolved(resolution), parents: conflict.heads,
                                           signing: SigningIntent()))
    }
}
