import AccordCore
import AccordKit

/// The guided check-in on a terminal: each instrument and finding in turn, Enter to skip what was not assessed,
/// then a summary to confirm. Answers given as flags are not asked again.
struct CheckinFlow {
    let terminal: Terminal
    let record: PatientRecord
    var preset: CheckinRecorded

    func run() throws -> CheckinRecorded? {
        let t = terminal
        var c = preset
        t.say("Check-in for \(record.name). Press Enter to skip anything not assessed; type ! for coaching; Ctrl-C stops without saving.")
        if c.peg == nil {
            c.peg = try scores("PEG: pain on average, interference with enjoyment of life, with general activity (three 0-10 scores, e.g. 7,6,5):", count: 3, allowed: Array(repeating: Array(0...10), count: 3))
        }
        if c.phq2 == nil {
            c.phq2 = try scores("PHQ-2: little interest or pleasure, feeling down (two 0-3 scores, e.g. 1,2):", count: 2, allowed: Array(repeating: Array(0...3), count: 2))
        }
        if c.cows == nil {
            c.cows = try scores("COWS: the 11 item scores in order (\(CheckinInstruments.cowsItems.map { "\($0.name) \($0.scores.map(String.init).joined(separator: "/"))" }.joined(separator: "; "))), if withdrawal was assessed:",
                                count: 11, allowed: CheckinInstruments.cowsItems.map(\.scores))
        }
        if c.currentDose == nil { c.currentDose = try t.askOptionalText("Current opioid dose, as written:") }
        if c.sleep == nil { c.sleep = try t.askOptionalText("Sleep:") }
        if c.mood == nil { c.mood = try t.askOptionalText("Mood:") }
        if c.selfHarmConcern == nil { c.selfHarmConcern = try yesNo("Any concern about self-harm or suicide?") }
        if c.goals == nil {
            var checks: [GoalCheck] = []
            for goal in record.goals where goal.status == .active {
                let progress: GoalProgress? = try t.ask("Goal \"\(goal.description)\": progress [none/some/most/achieved, Enter to skip]:",
                                                        hint: "Type none, some, most or achieved, or press Enter.") { answer -> GoalProgress?? in
                    answer.isEmpty ? .some(nil) : GoalProgress(rawValue: answer.lowercased()).map { .some($0) }
                }
                if let progress { checks.append(GoalCheck(goal: goal.id, progress: progress)) }
            }
            c.goals = checks.isEmpty ? nil : checks
        }
        if c.sideEffects == nil { c.sideEffects = try t.askOptionalText("Side effects:") }
        if c.withdrawal == nil { c.withdrawal = try t.askOptionalText("Withdrawal symptoms:") }
        if c.naloxoneOnHand == nil { c.naloxoneOnHand = try yesNo("Naloxone on hand?") }
        if c.pdmpChecked == nil { c.pdmpChecked = try yesNo("PDMP checked at this visit?") }
        if c.urineDrugTest == nil { c.urineDrugTest = try optionalChoice("Urine drug test") }
        if c.readiness == nil { c.readiness = try optionalChoice("Readiness to change") }
        if c.nextVisit == nil {
            c.nextVisit = try t.ask("Next visit (YYYY-MM-DD, Enter to skip):", hint: "Write a date as YYYY-MM-DD, or press Enter.") { answer -> LocalDate?? in
                answer.isEmpty ? .some(nil) : LocalDate(answer).map { .some($0) }
            }
        }
        if c.note == nil { c.note = try t.askOptionalText("A note for the record (Enter for none):") }
        guard c != CheckinRecorded() else {
            t.say("Nothing was assessed, so there is nothing to record.")
            return nil
        }
        t.say()
        t.say("Summary: \(Timeline.summary(of: .checkinRecorded(c)))")
        return try t.confirm("Record this check-in?") ? c : nil
    }

    private func scores(_ question: String, count: Int, allowed: [[Int]]) throws -> [Int]? {
        try terminal.ask(question, hint: "Give \(count) whole numbers separated by commas, each one of the scores its item allows, or press Enter to skip.") { answer -> [Int]?? in
            if answer.isEmpty { return .some(nil) }
            let values = answer.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard values.count == count, values.allSatisfy({ $0 != nil }) else { return nil }
            let numbers = values.compactMap { $0 }
            guard zip(numbers, allowed).allSatisfy({ $1.contains($0) }) else { return nil }
            return .some(numbers)
        }
    }

    private func yesNo(_ question: String) throws -> Bool? {
        try terminal.ask("\(question) [y/n, Enter to skip]:", hint: "Type y or n, or press Enter.") { answer -> Bool?? in
            switch answer.lowercased() {
            case "": .some(nil)
            case "y", "yes": .some(true)
            case "n", "no": .some(false)
            default: nil
            }
        }
    }

    private func optionalChoice<T: RawRepresentable & CaseIterable>(_ question: String) throws -> T? where T.RawValue == String {
        let options = T.allCases.map(\.rawValue).joined(separator: "/")
        return try terminal.ask("\(question) [\(options), Enter to skip]:", hint: "Type one of \(options), or press Enter.") { answer -> T?? in
            answer.isEmpty ? .some(nil) : T(rawValue: answer.lowercased()).map { .some($0) }
        }
    }
}
