import AccordCore
import AccordKit
import ArgumentParser

struct MMECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mme",
        abstract: "Morphine milligram equivalents a day for one or more medications (CDC 2022 factors).",
        discussion: """
            Write each medication as on a prescription: "oxycodone 10 mg q6h", "oxycodone ER 30 mg bid", \
            "hydrocodone-acetaminophen 10-325 mg 1-2 tabs q4-6h prn" (counted at the maximum), "fentanyl 25 mcg/hr 2 patches q72h", \
            "oxycodone 5 mg/5 mL 10 mL q6h", "methadone 80 mg daily for OUD" (treatment for opioid use disorder, not counted). \
            A medicine Accord does not know is refused with the names it may have meant; write one that is neither an opioid \
            nor a sedative as "other: lisinopril 10 mg daily". An opioid with no CDC 2022 factor is shown and the total is \
            marked incomplete. The factors describe risk; they are not for converting one opioid into another.
            """
    )

    @OptionGroup var output: OutputOptions
    @Option(name: .customLong("med"), help: ArgumentHelp("One medication; repeat for each.", valueName: "text"))
    var medications: [String] = []
    @Flag(name: .customLong("confirm-dose"), help: "Accept a dose Accord finds unusual (see the message).") var confirmDose = false

    func validate() throws {
        guard !medications.isEmpty else { throw ValidationError("Give at least one --med \"TEXT\", e.g. --med \"oxycodone 10 mg q6h\".") }
    }

    func run() throws {
        let lines = try medications.map { try Parse.medication($0, confirmed: confirmDose) }
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
            let amount = item.mme.map { "\(Timeline.formatScore(MMECalculator.rounded($0))) MME/day" } ?? (MMECalculator.leftOut(item) ? "NOT COUNTED" : "not counted")
            let perDay = item.unit == "mcg/hr" ? "" : "/day"
            let daily = item.dailyDose.map { " (\(Timeline.formatScore($0)) \(item.unit ?? "")\(perDay) × \(Timeline.format(item.factor ?? 0, decimals: 2)))" } ?? ""
            lines.append("  \(item.input): \(amount)\(item.counted ? daily : "")")
            if let note = item.note { lines.append("    \(note)") }
            if let caution = item.caution { lines.append("    ! \(caution)") }
            if !item.unusual.isEmpty { lines.append("    ! Unusual, confirmed: \(item.unusual.joined(separator: "; "))") }
        }
        if result.complete {
            lines.append("  Total: \(Timeline.formatScore(result.totalMME)) MME/day (\(Source.cdc2022.rawValue))")
        } else {
            lines.append("  Total: INCOMPLETE, at least \(Timeline.formatScore(result.totalMME)) MME/day: \(result.incomplete.count) opioid line\(result.incomplete.count == 1 ? "" : "s") could not be counted (\(Source.cdc2022.rawValue))")
        }
        for flag in result.flags { lines.append(FlagText.line(flag)) }
        return lines.joined(separator: "\n")
    }
}

enum FlagText {
    static func line(_ flag: RiskFlag) -> String {
        "  ! \(flag.title)\(flag.since.map { " (since \($0.prefix(10)))" } ?? ""): \(flag.why) [\(flag.source)]"
    }
}
