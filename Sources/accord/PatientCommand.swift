import AccordCore
import AccordKit
import AccordStore
import ArgumentParser
import Foundation

struct PatientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patient",
        abstract: "Register, list, show and correct patients.",
        subcommands: [Add.self, List.self, Find.self, Show.self, Correct.self, Share.self]
    )
}

extension PatientCommand {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Register a patient.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The patient's full name.") var name: String
        @Option(help: ArgumentHelp("Date of birth.", valueName: "yyyy-mm-dd"), transform: Parse.date) var born: LocalDate
        @Option(help: "Medical record number, unique at this site.") var mrn: String?
        @Flag(name: .customLong("confirm-duplicate"), help: "Register even though a patient with the same name and birth date exists.") var confirmDuplicate = false

        struct Result: Encodable { var id: String; var name: String; var born: LocalDate; var mrn: String?; var event: String }

        func run() async throws {
            let clinic = Clinic(store: try store.open())
            guard let recorded = try await register(clinic) else { return print("Nothing was written.") }
            if output.json {
                try Output.json(Result(id: recorded.patient, name: name, born: born, mrn: mrn.nilIfEmpty, event: recorded.event.id.hex))
            } else {
                print("Registered \(name) (born \(born)\(mrn.nilIfEmpty.map { ", MRN \($0)" } ?? "")) as patient \(recorded.patient).")
            }
        }

        /// Registers the patient; at a terminal a likely duplicate is confirmed there and then instead of by typing the
        /// command again. Nil when the clinician declines.
        private func register(_ clinic: Clinic) async throws -> Clinic.Recorded? {
            let result: Swift.Result<Clinic.Recorded, ClinicError>
            do { result = .success(try await clinic.registerPatient(name: name, born: born, mrn: mrn, confirmDuplicate: confirmDuplicate)) } catch { result = .failure(error) }
            guard case .failure(let error) = result, error.code == .likelyDuplicate, Terminal.isInteractive, !output.json else { return try result.get() }
            let terminal = Terminal(coaching: nil)
            terminal.say("Warning: \(error.message)")
            guard try terminal.confirm("Register \(name) as a different patient?") else { return nil }
            return try await clinic.registerPatient(name: name, born: born, mrn: mrn, confirmDuplicate: true)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the patients in this store.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let patients = try store.open().patients()
            if output.json { return try Output.json(patients.map(PatientListing.init)) }
            if patients.isEmpty { return print("No patients yet; add one with `accord patient add --name NAME --born YYYY-MM-DD`.") }
            for patient in patients { print(PatientListing.line(patient)) }
        }
    }

    struct Find: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "find", abstract: "Find patients by part of a name (any case, with or without accents), MRN or birth date.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: ArgumentHelp("Part of a name (\"ana rey\"), an MRN, a birth date (YYYY-MM-DD) or an id prefix.", valueName: "text")) var text: String

        func run() throws {
            let found = try Clinic(store: try store.open()).findPatients(text)
            if output.json { return try Output.json(found.map(PatientListing.init)) }
            if found.isEmpty { return print("No patient matches '\(text)'.") }
            for patient in found { print(PatientListing.line(patient)) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a patient's record: goals, consents, agreements, tapers, check-ins.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var patient: PatientOption
        @OptionGroup var settings: FlagOptions

        func run() throws {
            let loaded = try LoadedPatient.load(try store.open(), patient.patient)
            let record = loaded.record.evaluated(on: loaded.today, settings: try settings.resolved(calendar: loaded.calendar))
            if output.json { return try Output.json(RecordJSON(record)) }
            print(RecordText.render(record, calendar: loaded.calendar))
        }
    }

    struct Correct: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "correct", abstract: "Correct a patient's name, birth date or MRN; the earlier values stay in the timeline.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var patient: PatientOption
        @Option(help: "The corrected name.") var name: String?
        @Option(help: ArgumentHelp("The corrected date of birth.", valueName: "yyyy-mm-dd"), transform: Parse.date) var born: LocalDate?
        @Option(help: "The corrected MRN.") var mrn: String?
        @Option(help: "Why the correction is made.") var reason: String

        func validate() throws {
            guard name != nil || born != nil || mrn != nil else {
                throw ValidationError("Give at least one of --name, --born or --mrn to correct.")
            }
        }

        func run() async throws {
            let clinic = Clinic(store: try store.open())
            let chart = try clinic.chart(patient.patient)
            let recorded = try await clinic.correctDemographics(chart, name: name, born: born, mrn: mrn, reason: reason)
            try Report.recorded(recorded.event, output, "Corrected the demographics of \(name ?? chart.record.name).")
        }
    }
}

/// A patient as `patient list` and `patient find` print them; `--json` keys are id, name, born and mrn.
struct PatientListing: Encodable {
    var id: String
    var name: String
    var born: LocalDate
    var mrn: String?

    init(_ entry: PatientDirectoryEntry) { id = entry.id; name = entry.name; born = entry.born; mrn = entry.mrn }

    static func line(_ patient: PatientDirectoryEntry) -> String {
        "\(patient.id.prefix(8))  \(patient.name)  born \(patient.born)\(patient.mrn.map { "  MRN \($0)" } ?? "")"
    }
}

/// The patient a command is about: the library's chart, loaded through the clinic.
typealias LoadedPatient = PatientChart

extension PatientChart {
    /// The chart of the patient named by id, id prefix or MRN.
    static func load(_ store: EventStore, _ reference: String) throws -> PatientChart {
        try Clinic(store: store).chart(reference)
    }
}

/// What a command prints once it has recorded an event.
enum Report {
    static func recorded(_ event: Event, _ output: OutputOptions, _ text: String, goal: String? = nil, agreement: String? = nil) throws {
        if output.json {
            try Output.json(RecordedOutput(event: event.id.hex, patient: event.envelope.patient,
                                           type: event.envelope.type.rawValue, goal: goal, agreement: agreement))
        } else {
            print("\(text) (entry \(event.id.short))")
        }
    }
}
