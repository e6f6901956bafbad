import AccordCore
import AccordKit

/// The guided mini-consent on a terminal: each item with its talking points, then naloxone, questions, the
/// decision and a summary to confirm. Returns nil when the clinician declines to record it.
struct ConsentFlow {
    let terminal: Terminal
    let record: PatientRecord
    var preset: ConsentAnswers
    var naloxone: NaloxoneStatus?
    var decision: ConsentDecision?
    var questions: String?
    var note: String?
    var skipConfirmation: Bool

    func run() throws -> ConsentRecorded? {
        let t = terminal
        t.say("Mini-consent for \(record.name) (born \(record.born)\(record.mrn.map { ", MRN \($0)" } ?? ""))")
        t.say("For each topic answer y if it was discussed, n if not (you will be asked why), or ? to see the talking")
        t.say("points again. Type ! at any prompt for coaching on pushback. Ctrl-C stops without saving anything.")
        var items: [ConsentItemRecord] = []
        for (index, item) in ConsentItem.all.enumerated() {
            if let answer = preset.answered[item.id] {
                items.append(answer)
                continue
            }
            t.say()
            t.say("[\(index + 1)/\(ConsentItem.all.count)] \(item.title)")
            showPoints(item)
            items.append(try askItem(item))
        }
        t.say()
        let naloxone = try self.naloxone ?? t.askChoice("Naloxone status")
        let questions = try self.questions ?? t.askOptionalText("The patient's questions, in brief (Enter for none):")
        let decision = try self.decision ?? t.askChoice("The patient's decision")
        let note = try self.note ?? t.askOptionalText("A note for the record (Enter for none):")
        let consent = ConsentRecorded(items: items, naloxone: naloxone, questions: questions.nilIfEmpty, decision: decision,
                                      note: note.nilIfEmpty)
        t.say()
        t.say("Summary")
        let discussed = items.filter(\.discussed).map(\.key)
        t.say("  Discussed: \(discussed.isEmpty ? "none" : discussed.joined(separator: ", "))")
        for item in items where !item.discussed {
            t.say("  Not discussed: \(item.key) (\(item.reason ?? ""))")
        }
        t.say("  Naloxone: \(naloxone.rawValue)")
        t.say("  Questions: \(consent.questions ?? "none")")
        t.say("  Decision: \(decision.rawValue)")
        if let note = consent.note { t.say("  Note: \(note)") }
        if skipConfirmation { return consent }
        return try t.confirm("Record this mini-consent?") ? consent : nil
    }

    private func showPoints(_ item: ConsentItem) {
        for point in item.talkingPoints { terminal.say("  - \(point)") }
        terminal.say("  (Source: \(item.source.rawValue))")
    }

    private func askItem(_ item: ConsentItem) throws -> ConsentItemRecord {
        while true {
            let answer = try terminal.ask("  Discussed? [y/n/?]:", hint: "Type y, n or ?.") { answer -> String? in
                ["y", "yes", "n", "no", "?"].contains(answer.lowercased()) ? answer.lowercased() : nil
            }
            switch answer {
            case "?": showPoints(item)
            case "y", "yes": return ConsentItemRecord(key: item.id, discussed: true)
            default:
                let reason = try terminal.askRequiredText("  Why was it not discussed?")
                return ConsentItemRecord(key: item.id, discussed: false, reason: reason)
            }
        }
    }
}
