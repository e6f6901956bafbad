/// The handout as one print-ready HTML file: styles inline, no scripts, no external resources.
public enum HandoutHTML {
    /// The handout as one print-ready HTML page.
    public static func render(_ handout: Handout) -> String {
        var body = ""
        func add(_ line: String) { body += line + "\n" }
        add("<header><h1>Your pain care plan</h1>")
        add("<p class=\"who\">\(escape(handout.patientName)) &middot; born \(escape(handout.born))</p>")
        add("<p class=\"meta\">From \(escape(handout.clinic)) &middot; printed \(escape(handout.printedOn))</p></header>")

        add("<section><h2>Your goals</h2>")
        if handout.goals.isEmpty {
            add("<p>No goals are written down yet. Think about what you would like to be able to do again.</p>")
        } else {
            add("<ul>" + handout.goals.map(goalItem).joined() + "</ul>")
        }
        if !handout.goalsReached.isEmpty {
            add("<p>Goals you have reached:</p><ul>" + handout.goalsReached.map(goalItem).joined() + "</ul>")
        }
        add("</section>")

        if let decision = handout.decisionLine {
            add("<section><h2>What we talked about</h2>")
            if let date = handout.consentDate { add("<p>On \(escape(date)) we talked about:</p>") }
            add("<ul>" + handout.discussed.map { "<li>\(escape($0))</li>" }.joined() + "</ul>")
            add("<p>\(escape(decision))</p>")
            if let naloxone = handout.naloxoneLine { add("<p>\(escape(naloxone))</p>") }
            add("</section>")
        }

        if let agreement = handout.agreement {
            add("<section><h2>Our agreement</h2><ol>" + agreement.clauses.map { "<li>\(escape($0))</li>" }.joined() + "</ol>")
            add("<p>\(escape(agreement.agreedLine))</p><p><strong>\(escape(agreement.renewalLine))</strong></p>")
            add("<ul class=\"signatures\">" + agreement.signatures.map { "<li>\(escape($0))</li>" }.joined() + "</ul></section>")
        }

        for taper in handout.tapers {
            add("<section><h2>Your taper schedule: \(escape(taper.medication))</h2><p>\(escape(taper.statusLine))</p>")
            if let next = taper.nextLine { add("<p class=\"next\"><strong>\(escape(next))</strong></p>") }
            add("<table><thead><tr><th>From</th><th>Dose</th><th>Notes</th></tr></thead><tbody>")
            for step in taper.steps {
                let mark = step.isNext ? " class=\"next\"" : step.isCurrent ? " class=\"current\"" : ""
                let label = step.isNext ? " (next)" : step.isCurrent ? " (now)" : ""
                add("<tr\(mark)><td>\(escape(step.date))\(label)</td><td>\(escape(step.dose))</td><td>\(escape(step.note ?? ""))</td></tr>")
            }
            add("</tbody></table></section>")
        }

        if !handout.trends.isEmpty {
            add("<section><h2>How you have been doing</h2>")
            for series in handout.trends { add(TrendSVG.figure(series)) }
            add("</section>")
        }

        add("<section class=\"call\"><h2>Whom to call</h2>")
        if let contact = handout.contact {
            add("<p>Questions, side effects, or trouble with the plan: \(escape(contact))</p>")
        } else {
            add("<p>Questions, side effects, or trouble with the plan: call your clinic.</p><p class=\"blank\">Name and phone: ________________________________</p>")
        }
        add("<p class=\"emergency\">\(escape(handout.emergencyLine))</p></section>")

        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Your pain care plan: \(escape(handout.patientName))</title>
            <style>
            \(stylesheet)
            </style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    static func goalItem(_ goal: Handout.Goal) -> String {
        "<li>\(escape(goal.text))" + (goal.detail.map { "<br><span class=\"detail\">\(escape($0))</span>" } ?? "") + "</li>"
    }

    static let stylesheet = """
        body { font-family: Georgia, "DejaVu Serif", serif; font-size: 13pt; line-height: 1.5; max-width: 44em; margin: 2em auto; padding: 0 1em; color: #111; }
        h1 { font-size: 1.7em; margin-bottom: 0.2em; }
        h2 { font-size: 1.25em; border-bottom: 1px solid #999; padding-bottom: 0.1em; margin-top: 1.4em; }
        .who { font-size: 1.15em; margin: 0; }
        .meta, .detail { color: #444; }
        table { border-collapse: collapse; width: 100%; }
        th, td { border: 1px solid #999; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
        tr.next td { background: #fff3c4; font-weight: bold; }
        tr.current td { background: #eef5ff; }
        .emergency { border: 2px solid #a00; padding: 0.6em; font-weight: bold; }
        figure.trend { margin: 0.8em 0; } figure.trend svg { max-width: 100%; height: auto; font-family: inherit; }
        figcaption { color: #444; font-size: 0.9em; }
        @media print {
          body { font-size: 12pt; margin: 0; max-width: none; }
          section { break-inside: avoid; }
          tr.next td, tr.current td { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          @page { margin: 2cm; }
        }
        """

    /// `text` with HTML's special characters escaped.
    public static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
