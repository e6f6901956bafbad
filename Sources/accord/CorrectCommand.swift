import AccordCore
import AccordKit
import AccordStore
import ArgumentParser
import Foundation

struct CorrectCommand: AsyncParsableCommand {
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

    func run() async throws {
        let clinic = Clinic(store: try store.open())
        let chart = try clinic.chart(patient.patient)
        let target = try clinic.entry(chart, event)
        let recorded: Clinic.Recorded
        if enteredInError {
            recorded = try await clinic.markEnteredInError(chart, entry: target, reason: reason)
        } else {
            recorded = try await clinic.correct(chart, entry: target, fields: try changes.map(Self.field), reason: reason)
        }
        try Report.recorded(recorded.event, output, enteredInError ? "Marked entry \(target.id.short) as entered in error" : "Corrected entry \(target.id.short)")
    }

    /// FIELD=VALUE, split at the first '='.
    static func field(_ change: String) throws -> (name: String, value: String) {
        guard let equals = change.firstIndex(of: "="), equals != change.startIndex else {
            throw ValidationError("--set takes FIELD=VALUE; '\(change)' has no '='.")
        }
        return (String(change[..<equals]), String(change[change.index(after: equals)...]))
    }
}
