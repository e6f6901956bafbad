import AccordCore
import AccordKit
import AccordStore
import ArgumentParser

struct RiskCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "risk",
        abstract: "Record the patient's overdose risk factors and when they started opioids; with no option, show them.",
        discussion: """
            Factors: \(RiskFactor.allCases.map(\.rawValue).joined(separator: ", ")). Age 65 or over is read from the \
            birth date. Any factor present makes naloxone indicated for a patient on opioids (CDC 2022, recommendation 8). \
            --on-opioids-since sets the tapering pace: a year or more is long-term use.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var patient: PatientOption
    @Option(help: ArgumentHelp("Factors found present, comma-separated.", valueName: "factors"), transform: RiskCommand.factors) var present: [RiskFactor] = []
    @Option(help: ArgumentHelp("Factors asked about and found absent, comma-separated.", valueName: "factors"), transform: RiskCommand.factors) var absent: [RiskFactor] = []
    @Option(name: .customLong("on-opioids-since"), help: ArgumentHelp("When the patient started taking opioids.", valueName: "yyyy-mm-dd"), transform: Parse.date)
    var onOpioidsSince: LocalDate?
    @Option(help: "A note for the record.") var note: String?

    static func factors(_ text: String) throws -> [RiskFactor] {
        try Parse.keyList(text).map { try Parse.choice($0, "risk factor") as RiskFactor }
    }

    struct Shown: Encodable {
        var riskFactors: [RiskFactorState]
        var onOpioidsSince: LocalDate?
    }

    func run() async throws {
        let clinic = Clinic(store: try store.open())
        let loaded = try clinic.chart(patient.patient)
        if present.isEmpty, absent.isEmpty, onOpioidsSince == nil {
            if output.json { return try Output.json(Shown(riskFactors: loaded.record.riskFactors, onOpioidsSince: loaded.record.onOpioidsSince)) }
            return print(RiskText.render(loaded.record))
        }
        let payload = RiskFactorsRecorded(present: present, absent: absent, onOpioidsSince: onOpioidsSince, note: note)
        let recorded = try await clinic.recordRiskFactors(loaded, payload)
        try Report.recorded(recorded.event, output, "Recorded risk factors for \(loaded.record.name): \(Timeline.summary(of: .riskFactorsRecorded(payload)).dropFirst("Risk factors: ".count))")
    }
}

enum RiskText {
    static func render(_ record: PatientRecord) -> String {
        var lines = ["Overdose risk factors for \(record.name) (\(Source.cdc2022.rawValue), recommendation 8)"]
        for factor in RiskFactor.allCases {
            let state = record.riskFactors.first { $0.factor == factor }
            let answer = state.map { "\($0.present ? "present" : "absent") (\($0.stamp.by), \($0.stamp.at.prefix(10)))" } ?? "not recorded"
            lines.append("  \(factor.rawValue.padding(toLength: 27, withPad: " ", startingAt: 0)) \(answer)")
        }
        lines.append("  on opioids since            \(record.onOpioidsSince?.description ?? "not recorded")")
        return lines.joined(separator: "\n")
    }
}
