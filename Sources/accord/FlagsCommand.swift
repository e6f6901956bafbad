import AccordCore
import AccordKit
import ArgumentParser
import Foundation

struct FlagsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flags",
        abstract: "The risk flags a patient's record raises today, each with why, since when and its source.",
        discussion: "The PDMP window defaults to 90 days; set it with --pdmp-days or $ACCORD_PDMP_DAYS."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var patient: PatientOption
    @OptionGroup var settings: FlagOptions

    func run() throws {
        let loaded = try LoadedPatient.load(try store.open(), patient.patient)
        let flags = PatientFlags.evaluate(loaded.record, on: loaded.today, settings: try settings.resolved(calendar: loaded.calendar))
        if output.json { return try Output.json(flags) }
        if flags.isEmpty { return print("No flags for \(loaded.record.name) today.") }
        print("Flags for \(loaded.record.name) on \(loaded.today)")
        for flag in flags { print(FlagText.line(flag)) }
    }
}

/// `--pdmp-days`: command line, then environment, then the default.
struct FlagOptions: ParsableArguments {
    @Option(name: .customLong("pdmp-days"), help: ArgumentHelp("Flag a PDMP check older than this many days (default 90).", valueName: "days"))
    var pdmpDays: Int?

    func resolved(calendar: ClinicCalendar) throws -> FlagSettings {
        var settings = FlagSettings(calendar: calendar)
        if let text = ProcessInfo.processInfo.environment["ACCORD_PDMP_DAYS"], !text.isEmpty {
            guard let days = Int(text), (1...3650).contains(days) else {
                throw CommandFailure("ACCORD_PDMP_DAYS is '\(text)'; set it to a number of days from 1 to 3650.")
            }
            settings.pdmpDays = days
        }
        if let pdmpDays {
            guard (1...3650).contains(pdmpDays) else { throw ValidationError("--pdmp-days must be 1 to 3650.") }
            settings.pdmpDays = pdmpDays
        }
        return settings
    }
}
