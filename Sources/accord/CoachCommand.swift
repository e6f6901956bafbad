import AccordCore
import AccordKit
import AccordStore
import ArgumentParser

struct CoachCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coach",
        abstract: "Talking points: the four S for a visit, tailored to readiness, or responses when a patient pushes back.",
        discussion: """
            With no situation, shows the four S (setting expectations, safety, standardization, support), tailored to \
            --readiness or to the stage recorded at the patient's latest check-in (--patient), then lists the situations. \
            Situations: \(CoachingSituation.all.map(\.id).joined(separator: ", ")). Inside the guided flows, type ! at any prompt.
            """
    )

    @Argument(help: "A situation key; leave it out for the four S and the list.") var situation: String?
    @Option(help: "Tailor the four S to a readiness stage: precontemplation, contemplation, preparation, action or maintenance.",
            transform: { try Parse.choice($0, "readiness stage") as ReadinessStage }) var readiness: ReadinessStage?
    @Option(help: ArgumentHelp("Tailor the four S to the readiness recorded for this patient.", valueName: "id")) var patient: String?
    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions

    struct Entry: Encodable { var key: String; var patientSays: String; var responses: [TalkingPoint]; var escalation: TalkingPoint? }
    struct Part: Encodable { var key: String; var title: String; var points: [TalkingPoint] }
    struct Guide: Encodable { var readiness: ReadinessStage?; var fourS: [Part]; var situations: [Entry] }

    func run() throws {
        if let situation {
            guard let found = CoachingSituation.named(situation.lowercased()) else {
                throw ValidationError("'\(situation)' is not a coaching situation; choose one of: \(CoachingSituation.all.map(\.id).joined(separator: ", ")).")
            }
            if output.json { return try Output.json([Self.entry(found)]) }
            return print(CoachText.render([found]))
        }
        var stage = readiness
        if let patient {
            let loaded = try LoadedPatient.load(try store.open(), patient)
            stage = stage ?? loaded.record.readiness
        }
        let guide = FourS.guide(for: stage)
        if output.json {
            return try Output.json(Guide(readiness: stage, fourS: guide.map { Part(key: $0.part.rawValue, title: $0.part.title, points: $0.points) },
                                         situations: CoachingSituation.all.map(Self.entry)))
        }
        print(CoachText.render(guide, stage: stage))
        print("")
        print("When the patient pushes back:")
        for item in CoachingSituation.all { print("  \(item.id.padding(toLength: 15, withPad: " ", startingAt: 0)) \(item.patientSays)") }
        print("Show one with: accord coach SITUATION")
    }

    static func entry(_ item: CoachingSituation) -> Entry {
        Entry(key: item.id, patientSays: item.patientSays, responses: item.responses, escalation: item.escalation)
    }
}

enum CoachText {
    static func render(_ situations: [CoachingSituation]) -> String {
        var lines: [String] = []
        for item in situations {
            lines.append("\(item.patientSays) [\(item.id)]")
            for response in item.responses { lines.append("  - \(response.text) [\(response.source.rawValue)]") }
            if let escalation = item.escalation { lines.append("  ! \(escalation.text) [\(escalation.source.rawValue)]") }
        }
        return lines.joined(separator: "\n")
    }

    static func render(_ guide: [(part: FourS, points: [TalkingPoint])], stage: ReadinessStage?) -> String {
        var lines = ["The four S for this visit" + (stage.map { ", for a patient in \($0.rawValue)" } ?? " (give --readiness or --patient to tailor them)")]
        for (part, points) in guide {
            lines.append("\(part.title)")
            for point in points { lines.append("  - \(point.text) [\(point.source.rawValue)]") }
        }
        return lines.joined(separator: "\n")
    }
}
