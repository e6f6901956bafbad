import AccordCore
import ArgumentParser

struct MMECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mme",
        abstract: "Morphine milligram equivalents a day for one or more medications (CDC 2022 factors).",
        discussion: """
            Write each medication as on a prescription: "oxycodone 10 mg q6h", "oxycodone ER 30 mg bid", \
            "hydrocodone 5 mg 1-2 tabs q4-6h prn" (counted at the maximum), "fentanyl 25 mcg/hr patch q72h", \
            "methadone 10 mg 2 tabs tid". The factors describe risk; they are not for converting one opioid into another.
            """
    )

    @OptionGroup var output: OutputOptions
    @Option(name: .customLong("med"), help: ArgumentHelp("One medication; repeat for each.", valueName: "text"))
    var medications: [String] = []

    func validate() throws {
        guard !medications.isEmpty else { throw ValidationError("Give at least one --med \"TEXT\", e.g. --med \"oxycodone 10 mg q6h\".") }
    }

    func run() throws {
        let lines = try medications.map(Parse.medication)
        let result = MMECalculator.compute(lines)
        if output.json { return try Output.json(result) }
        print(MMEText.render(result))
    }
}

/// The text form of an MME result, shared by `accord mme` and `accord patient show`.
enum MMEText {
    static func render(_ result: MMEResult) -> String {
        var lines: [String] = []
        for item in result.items {
            let amount = item.mme.map { "\(Timeline.formatScore(MMECalculator.rounded($0))) MME/day" } ?? "not counted"
            let perDay = item.unit == "mcg/hr" ? "" : "/day"
            let daily = item.dailyDose.map { " (\(Timeline.formatScore($0)) \(item.unit ?? "")\(perDay) × \(Timeline.formatScore(item.factor ?? 0)))" } ?? ""
            lines.append("  \(item.input): \(amount)\(item.counted ? daily : "")")
            if let note = item.note { lines.append("    \(note)") }
        }
        lines.append("  Total: \(Timeline.formatScore(result.totalMME)) MME/day (\(Source.cdc2022.rawValue))")
        for flag in result.flags { lines.append(FlagText.line(flag)) }
        return lines.joined(separator: "\n")
    }
}

enum FlagText {
    static func line(_ flag: RiskFlag) -> String {
        "  ! \(flag.title)\(flag.since.map { " (since \($0.prefix(10)))" } ?? ""): \(flag.why) [\(flag.source)]"
    }
}
