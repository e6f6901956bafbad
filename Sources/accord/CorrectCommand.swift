import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct CorrectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "correct",
        abstract: "Correct an entry, or mark it entered in error. The original stays readable in the timeline.",
        discussion: """
            Name the entry by the id shown in `accord timeline`. --set FIELD=VALUE replaces one field of the entry \
            (VALUE is read as JSON when it parses, else as text), e.g. --set decision=declines or --set 'peg=[5,5,4]'. \
            --entered-in-error removes the entry's effect on the record.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var patient: PatientOption
    @Option(help: ArgumentHelp("The entry to correct: its id or an id prefix (6+ hex digits).", valueName: "id")) var event: String
    @Option(help: "Why the correction is made.") var reason: String
    @Option(name: .customLong("set"), help: ArgumentHelp("A field and its corrected value; repeat for each.", valueName: "field=value"))
    var changes: [String] = []
    @Flag(name: .customLong("entered-in-error"), help: "Mark the entry as recorded in error.") var enteredInError = false

    func validate() throws {
        guard enteredInError != !changes.isEmpty else {
            throw ValidationError("Give either --set FIELD=VALUE (one or more) or --entered-in-error.")
        }
    }

    func run() throws {
        let store = try store.open()
        let loaded = try LoadedPatient.load(store, patient.patient)
        let target = try store.event(patient: loaded.record.id, reference: event)
        let payload: EventPayload
        if enteredInError {
            payload = .entryEnteredInError(EntryEnteredInError(target: target.id, reason: reason))
        } else {
            payload = .entryCorrected(EntryCorrected(target: target.id, reason: reason,
                                                     replacement: try replacement(for: target.envelope.payload)))
        }
        let recorded = try store.append(EventDraft(patient: loaded.record.id, payload: payload, parents: [target.id]))
        try Report.recorded(recorded, output, enteredInError ? "Marked entry \(target.id.short) as entered in error" : "Corrected entry \(target.id.short)")
    }

    /// The original payload with the given fields replaced, checked by decoding it as the same type.
    func replacement(for original: EventPayload) throws -> EventPayload {
        switch original {
        case .entryCorrected, .entryEnteredInError:
            throw CommandFailure("That entry is itself a correction; correct the original entry instead.")
        default: break
        }
        var object = try original.jsonObject()
        var fields: [String] = []
        for change in changes {
            guard let equals = change.firstIndex(of: "="), equals != change.startIndex else {
                throw ValidationError("--set takes FIELD=VALUE; '\(change)' has no '='.")
            }
            let field = String(change[..<equals])
            let text = String(change[change.index(after: equals)...])
            fields.append(field)
            if ["goal", "agreement", "plan"].contains(field) {
                throw CommandFailure("The '\(field)' an entry belongs to cannot be corrected; mark the entry entered in error and record it again.")
            }
            object[field] = (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
        }
        let data = try JSONSerialization.data(withJSONObject: object)
        do {
            let payload = try EventPayload.decode(original.type, json: data)
            try EventRules.validate(payload)
            // A field the type does not know would be dropped silently when decoding; refuse it instead.
            let kept = try payload.jsonObject()
            for field in fields where kept[field] == nil {
                throw CommandFailure("A \(original.type.rawValue) entry has no field '\(field)'; its fields include \(kept.keys.sorted().joined(separator: ", ")). Nothing was written.")
            }
            return payload
        } catch let error as RuleViolation {
            throw CommandFailure("The corrected entry would not be valid: \(error.message). Nothing was written.")
        } catch let error as CommandFailure {
            throw error
        } catch {
            throw CommandFailure("The corrected values do not fit a \(original.type.rawValue) entry (\(Self.describe(error))). Nothing was written.")
        }
    }

    static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error { return context.debugDescription }
        if case DecodingError.typeMismatch(_, let context) = error { return "wrong kind of value at \(context.codingPath.map(\.stringValue).joined(separator: "."))" }
        if case DecodingError.keyNotFound(let key, _) = error { return "missing \(key.stringValue)" }
        return String(describing: error)
    }
}
