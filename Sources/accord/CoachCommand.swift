import AccordCore
import ArgumentParser

struct CoachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coach",
        abstract: "Ways to respond when a patient pushes back; with no situation, lists them.",
        discussion: "Situations: \(CoachingSituation.all.map(\.id).joined(separator: ", ")). Inside the guided flows, type ! at any prompt."
    )

    @Argument(help: "A situation key; leave it out to list them.") var situation: String?
    @OptionGroup var output: OutputOptions

    struct Entry: Encodable { var key: String; var patientSays: String; var responses: [String]; var escalation: String?; var source: String }

    func run() throws {
        let chosen: [CoachingSituation]
        if let situation {
            guard let found = CoachingSituation.named(situation.lowercased()) else {
                throw ValidationError("'\(situation)' is not a coaching situation; choose one of: \(CoachingSituation.all.map(\.id).joined(separator: ", ")).")
            }
            chosen = [found]
        } else {
            chosen = CoachingSituation.all
        }
        if output.json {
            return try Output.json(chosen.map { Entry(key: $0.id, patientSays: $0.patientSays, responses: $0.responses, escalation: $0.escalation, source: $0.source.rawValue) })
        }
        if situation == nil {
            for item in chosen { print("  \(item.id.padding(toLength: 15, withPad: " ", startingAt: 0)) \(item.patientSays)") }
            return print("Show one with: accord coach SITUATION")
        }
        print(CoachText.render(chosen))
    }
}

enum CoachText {
    static func render(_ situations: [CoachingSituation]) -> String {
        var lines: [String] = []
        for item in situations {
            lines.append("\(item.patientSays) [\(item.id)]")
            for response in item.responses { lines.append("  - \(response)") }
            if let escalation = item.escalation { lines.append("  ! \(escalation)") }
            lines.append("  (Source: \(item.source.rawValue))")
        }
        return lines.joined(separator: "\n")
    }
}
