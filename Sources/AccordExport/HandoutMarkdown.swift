import AccordCore

/// The handout as Markdown, for pasting into a visit note; the same content as `HandoutHTML`.
public enum HandoutMarkdown {
    /// The handout as Markdown.
    public static func render(_ handout: Handout) -> String {
        var lines = ["# Your pain care plan", "", "\(handout.patientName), born \(handout.born)  ",
                     "From \(handout.clinic), printed \(handout.printedOn)", "", "## Your goals", ""]
        if handout.goals.isEmpty {
            lines.append("No goals are written down yet. Think about what you would like to be able to do again.")
        }
        lines += handout.goals.map(goalLine)
        if !handout.goalsReached.isEmpty {
            lines += ["", "Goals you have reached:", ""] + handout.goalsReached.map(goalLine)
        }
        if let decision = handout.decisionLine {
            lines += ["", "## What we talked about", ""]
            if let date = handout.consentDate { lines += ["On \(date) we talked about:", ""] }
            lines += handout.discussed.map { "- \($0)" }
            lines += ["", decision]
            if let naloxone = handout.naloxoneLine { lines += ["", naloxone] }
        }
        if let agreement = handout.agreement {
            lines += ["", "## Our agreement", ""]
            lines += agreement.clauses.enumerated().map { "\($0.offset + 1). \($0.element)" }
            lines += ["", agreement.agreedLine, "", "**\(agreement.renewalLine)**", ""]
            lines += agreement.signatures.map { "- \($0)" }
        }
        for taper in handout.tapers {
            lines += ["", "## Your taper schedule: \(taper.medication)", "", taper.statusLine]
            if let next = taper.nextLine { lines += ["", "**\(next)**"] }
            lines += ["", "| From | Dose | Notes |", "| --- | --- | --- |"]
            for step in taper.steps {
                let label = step.isNext ? " (next)" : step.isCurrent ? " (now)" : ""
                lines.append("| \(cell(step.date))\(label) | \(cell(step.dose)) | \(cell(step.note ?? "")) |")
            }
        }
        if !handout.trends.isEmpty {
            // Markdown has no charts; the same points as a table.
            lines += ["", "## How you have been doing"]
            for series in handout.trends {
                lines += ["", "\(series.title):", "", "| Date | Value |", "| --- | --- |"]
                lines += series.points.map { "| \(HandoutWords.date($0.day)) | \(Timeline.formatScore($0.value)) |" }
            }
        }
        lines += ["", "## Whom to call", ""]
        lines.append("Questions, side effects, or trouble with the plan: \(handout.contact ?? "call your clinic (name and phone: ______________)").")
        lines += ["", "**\(handout.emergencyLine)**", ""]
        return lines.joined(separator: "\n")
    }

    static func goalLine(_ goal: Handout.Goal) -> String {
        "- \(goal.text)" + (goal.detail.map { " (\($0))" } ?? "")
    }

    static func cell(_ text: String) -> String { text.replacingOccurrences(of: "|", with: "\\|") }
}
