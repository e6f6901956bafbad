import AccordCore
import AccordKit
import ArgumentParser

struct DrugTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udt",
        abstract: "Record urine drug tests and the conversation about an unexpected result (CDC 2022, recommendation 10).",
        subcommands: [Record.self, Discuss.self]
    )
}

extension DrugTestCommand {
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record", abstract: "Record a urine drug test and its result.",
            discussion: "A pending result is settled by recording the test again with the same --on day once the result is back. An unexpected result raises a flag until the conversation with the patient is recorded (`accord udt discuss`), or pass --discussed if it was had at this visit.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var patient: PatientOption
        @Option(help: ArgumentHelp("The day the sample was taken (default today).", valueName: "yyyy-mm-dd"), transform: Parse.date) var on: LocalDate?
        @Option(help: ArgumentHelp("expected, unexpected or pending.", valueName: "result"),
                transform: { try Parse.choice($0, "urine drug test result") as UrineDrugTestResult }) var result: UrineDrugTestResult
        @Option(help: "What was found, or what prescribed medicine was missing.") var detail: String?
        @Flag(help: "The unexpected result was already talked through with the patient.") var discussed = false

        func run() async throws {
            let clinic = Clinic(store: try store.open())
            let chart = try clinic.chart(patient.patient)
            let recorded = try await clinic.recordDrugTest(chart, on: on, result: result, detail: detail, discussed: discussed)
            try Report.recorded(recorded.event, output, "Recorded \(chart.record.name)'s urine drug test of \(on ?? chart.today): \(result.rawValue)\(detail.map { " (\($0))" } ?? "")")
            if !output.json, result == .unexpected, !discussed { Coaching.print("unexpected-test", then: "accord udt discuss --patient \(patient.patient) --note TEXT") }
        }
    }

    struct Discuss: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "discuss", abstract: "Record that an unexpected result was talked through with the patient.")
        @OptionGroup var discussion: DiscussionOptions

        func run() async throws { try await discussion.record(.drugTest, about: "the unexpected result") }
    }
}

struct PDMPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pdmp",
        abstract: "Record checks of the prescription drug monitoring program and the conversation about concerning findings (CDC 2022, recommendation 9).",
        subcommands: [Record.self, Discuss.self]
    )
}

extension PDMPCommand {
    struct Record: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record", abstract: "Record a PDMP check and what it showed.",
            discussion: "Concerning findings need --detail and raise a flag until the conversation with the patient is recorded (`accord pdmp discuss`), or pass --discussed if it was had at this visit.")

        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var patient: PatientOption
        @Option(help: ArgumentHelp("The day of the check (default today).", valueName: "yyyy-mm-dd"), transform: Parse.date) var on: LocalDate?
        @Option(help: ArgumentHelp("none or concerning.", valueName: "findings"),
                transform: { try Parse.choice($0, "PDMP finding") as PDMPFindings }) var findings: PDMPFindings
        @Option(help: "What was found: other prescribers, overlapping or high combined doses.") var detail: String?
        @Flag(help: "The concerning findings were already talked through with the patient.") var discussed = false

        func run() async throws {
            let clinic = Clinic(store: try store.open())
            let chart = try clinic.chart(patient.patient)
            let recorded = try await clinic.recordPDMPCheck(chart, on: on, findings: findings, detail: detail, discussed: discussed)
            try Report.recorded(recorded.event, output, "Recorded \(chart.record.name)'s PDMP check of \(on ?? chart.today): \(findings == .none ? "no concerning findings" : "concerning findings")")
            if !output.json, findings == .concerning, !discussed { Coaching.print("pdmp-concern", then: "accord pdmp discuss --patient \(patient.patient) --note TEXT") }
        }
    }

    struct Discuss: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "discuss", abstract: "Record that concerning PDMP findings were talked through with the patient.")
        @OptionGroup var discussion: DiscussionOptions

        func run() async throws { try await discussion.record(.pdmp, about: "the PDMP findings") }
    }
}

/// What `udt discuss` and `pdmp discuss` take, and the recording they share.
struct DiscussionOptions: ParsableArguments {
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var patient: PatientOption
    @Option(help: ArgumentHelp("The result's entry id prefix, when more than one waits.", valueName: "entry")) var entry: String?
    @Option(help: ArgumentHelp("The day of the conversation (default today).", valueName: "yyyy-mm-dd"), transform: Parse.date) var on: LocalDate?
    @Option(help: "What was said and agreed.") var note: String

    func record(_ finding: Clinic.Finding, about what: String) async throws {
        let clinic = Clinic(store: try store.open())
        let chart = try clinic.chart(patient.patient)
        let recorded = try await clinic.recordDiscussion(chart, of: finding, entry: entry, on: on, note: note)
        try Report.recorded(recorded.event, output, "Recorded the conversation with \(chart.record.name) about \(what).")
    }
}

/// The talking points for a conversation to have, printed after the entry that calls for it.
enum Coaching {
    static func print(_ situation: String, then next: String) {
        guard let coaching = CoachingSituation.named(situation) else { return }
        Swift.print("Talking points for this conversation (\(coaching.patientSays)):")
        for point in coaching.responses { Swift.print("  - \(point.text) [\(point.source.rawValue)]") }
        Swift.print("Once it is had: \(next)")
    }
}
