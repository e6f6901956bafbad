import AccordCore
import AccordStore
import ArgumentParser
import Foundation

struct PatientCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "patient",
        abstract: "Register, list, show and correct patients.",
        subcommands: [Add.self, List.self, Show.self, Correct.self, Share.self]
    )
}

extension PatientCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Register a patient.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "The patient's full name.") var name: String
        @Option(help: ArgumentHelp("Date of birth.", valueName: "yyyy-mm-dd"), transform: Parse.date) var born: LocalDate
        @Option(help: "Medical record number, unique at this site.") var mrn: String?

        struct Result: Encodable { var id: String; var name: String; var born: LocalDate; var mrn: String?; var event: String }

        func run() throws {
            let store = try store.open()
            if let mrn, (try? store.resolvePatient(mrn))?.mrn == mrn {
                throw CommandFailure("A patient with MRN '\(mrn)' is already registered; `accord patient show --patient \(mrn)` shows them.")
            }
            let patient = Identifiers.make()
            let event = try store.append(EventDraft(patient: patient, payload: .patientRegistered(
                PatientRegistered(name: name.trimmingCharacters(in: .whitespaces), born: born, mrn: mrn.nilIfEmpty))))
            if output.json {
                try Output.json(Result(id: patient, name: name, born: born, mrn: mrn.nilIfEmpty, event: event.id.hex))
            } else {
                print("Registered \(name) (born \(born)\(mrn.map { ", MRN \($0)" } ?? "")) as patient \(patient).")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the patients in this store.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let patients = try store.open().patients()
            if output.json { return try Output.json(patients) }
            if patients.isEmpty { return print("No patients yet; add one with `accord patient add --name NAME --born YYYY-MM-DD`.") }
            for patient in patients {
                print("\(patient.id.prefix(8))  \(patient.name)  born \(patient.born)\(patient.mrn.map { "  MRN \($0)" } ?? "")")
            }
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
            if output.json { return try Output.json(record) }
            print(RecordText.render(record, calendar: loaded.calendar))
        }
    }

    struct Correct: ParsableCommand {
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

        func run() throws {
            let store = try store.open()
            let loaded = try LoadedPatient.load(store, patient.patient)
            let event = try store.append(loaded.draft(.demographicsCorrected(
                DemographicsCorrected(name: name, born: born, mrn: mrn, reason: reason))))
            try Report.recorded(event, output, "Corrected the demographics of \(name ?? loaded.record.name).")
        }
    }
}

/// The patient a command is about: their events, read once, and the record folded from them.
struct LoadedPatient {
    let record: PatientRecord
    let events: [Event]
    /// The clinic's calendar, from the store: which day today is there.
    let calendar: ClinicCalendar

    var today: LocalDate { calendar.today() }

    static func load(_ store: EventStore, _ reference: String) throws -> LoadedPatient {
        let entry = try store.resolvePatient(reference)
        let events = try store.events(patient: entry.id)
        guard let record = Projection.fold(events) else {
            throw CommandFailure("Patient \(entry.id) has no registration in this store yet; sync the store and try again.")
        }
        return LoadedPatient(record: record, events: events, calendar: try store.calendar())
    }

    /// What a new event on `entity` builds on: its latest events, or the registration for a new entity.
    private func parents(for entity: EntityKey) -> [EventID] {
        let heads = Projection.heads(of: entity, in: events)
        return heads.isEmpty ? [record.registered.event] : heads
    }

    /// A new event for this patient. It builds on the latest events of the goal, agreement, taper plan or list it
    /// changes (all of them, so it also resolves a conflict there), or on the registration when it stands alone.
    func draft(_ payload: EventPayload, signing: SigningIntent? = nil) -> EventDraft {
        EventDraft(patient: record.id, payload: payload, parents: payload.entity.map(parents(for:)) ?? [record.registered.event],
                   signing: signing)
    }

    /// A goal named by its number in `accord patient show` (1, 2, ...) or by an id prefix of 4 or more characters.
    /// Up to 3 digits is a number; longer text is a prefix, even when all its hex digits happen to be decimal.
    func goal(_ reference: String) throws -> GoalState {
        let goals = record.goals
        if reference.count <= 3, let number = Int(reference) {
            guard (1...max(goals.count, 1)).contains(number), number <= goals.count else {
                throw CommandFailure("This patient has \(goals.count) goal(s); '\(reference)' is not one of their numbers. `accord patient show` lists them.")
            }
            return goals[number - 1]
        }
        let matches = reference.count >= 4 ? goals.filter { $0.id.hasPrefix(reference.lowercased()) } : []
        guard matches.count == 1 else {
            throw CommandFailure(matches.isEmpty
                ? "This patient has no goal '\(reference)'; name it by its number or id from `accord patient show`."
                : "More than one goal starts with '\(reference)'; give more of its id.")
        }
        return matches[0]
    }

    /// The agreement named by id prefix, or the patient's active one.
    func agreement(_ reference: String?) throws -> AgreementState {
        if let reference {
            let matches = record.agreements.filter { $0.id.hasPrefix(reference.lowercased()) }
            guard matches.count == 1 else {
                throw CommandFailure(matches.isEmpty
                    ? "This patient has no agreement '\(reference)'; `accord patient show` lists them."
                    : "More than one agreement starts with '\(reference)'; give more of its id.")
            }
            return matches[0]
        }
        guard let active = record.activeAgreement else {
            throw CommandFailure("This patient has no active treatment agreement; sign one with `accord agreement sign`.")
        }
        return active
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
