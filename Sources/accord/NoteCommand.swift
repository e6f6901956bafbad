import AccordCore
import AccordKit
import AccordStore
import ArgumentParser

struct NoteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "note", abstract: "Add a free-text note to a patient's record.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var patient: PatientOption
    @Option(help: "The note.") var text: String

    func run() async throws {
        let clinic = Clinic(store: try store.open())
        let chart = try clinic.chart(patient.patient)
        let recorded = try await clinic.addNote(chart, text: text)
        try Report.recorded(recorded.event, output, "Added a note for \(chart.record.name)")
    }
}

struct MedicationsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meds",
        abstract: "Record the patient's current medication list.",
        discussion: "Each --med is one line as a clinician writes it, e.g. \"oxycodone 10 mg q6h\". The list given replaces the current one; `--none` records that there are none."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var patient: PatientOption
    @Option(name: .customLong("med"), help: "One medication line; repeat for each.") var medications: [String] = []
    @Flag(help: "Record that the patient takes no medications.") var none = false
    @Option(help: "Why the list changed.") var reason: String?
    @Flag(name: .customLong("confirm-dose"), help: "Record a dose Accord finds unusual (see the message).") var confirmDose = false
    @Option(help: ArgumentHelp("The day the list took effect, when entered later (default today).", valueName: "yyyy-mm-dd"), transform: Parse.date) var on: LocalDate?

    func validate() throws {
        guard none != !medications.isEmpty else {
            throw ValidationError("Give the whole current list with --med (once per medication), or --none.")
        }
    }

    func run() async throws {
        let clinic = Clinic(store: try store.open())
        let chart = try clinic.chart(patient.patient)
        // Nothing is written unless every line reads: an unreadable line would leave the MME total short.
        let (recorded, mme) = try await clinic.recordMedications(chart, medications, reason: reason, on: on, confirmUnusual: confirmDose)
        try Report.recorded(recorded.event, output, "Recorded \(medications.count) medication(s) for \(chart.record.name)")
        if !output.json { print(MMEText.render(mme)) }
    }
}

struct TimelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timeline",
        abstract: "Every entry in a patient's record in order, including corrected ones."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var patient: PatientOption

    func run() throws {
        let loaded = try LoadedPatient.load(try store.open(), patient.patient)
        let entries = Timeline.entries(loaded.events)
        if output.json { return try Output.json(entries) }
        print("Timeline for \(loaded.record.name) (\(entries.count) entries)")
        for entry in entries {
            let flag = entry.status == "recorded" ? "" : "  [\(entry.status)]"
            print("\(entry.at.prefix(16).replacingOccurrences(of: "T", with: " "))  \(entry.event.short)  \(entry.by) @ \(entry.site)  \(entry.summary)\(flag)")
        }
    }
}
