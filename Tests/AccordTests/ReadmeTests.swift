import AccordCore
import Foundation
import Testing

/// The README's tour runs: every text block marked `<!-- readme-test -->` is replayed in a fresh store, command by
/// command, and each command's output must read as the README shows it. Ids, fingerprints, dates and the store's path
/// are masked; a line `...` stands for any number of lines. Dates in the commands move by as many days as have passed
/// since the day the README names (`<!-- readme-test: written on YYYY-MM-DD -->`), so a next visit "in 19 days" is in
/// 19 days on any day the test runs.
@Suite("The README's tour runs as written")
struct ReadmeTests {
    static let readme = Paths.packageRoot.appendingPathComponent("README.md")

    struct Step {
        var command: String
        var arguments: [String]
        var expected: [String]
    }

    @Test("every command of the checked blocks prints what the README shows")
    func tourRuns() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        let written = try #require(Self.writtenOn(text), "the README names the day its tour was written (<!-- readme-test: written on YYYY-MM-DD -->)")
        let shift = written.days(until: Self.today())
        let steps = Self.steps(text)
        #expect(steps.count >= 15, "the checked blocks hold the tour")
        let folder = TemporaryDirectory("readme")
        defer { folder.remove() }
        let store = folder.path("home")
        for step in steps {
            let arguments = step.arguments.map { Self.shiftingDates($0, by: shift) }
            let result = try Run.accord(arguments, store: store)
            let output = (result.stdout + result.stderr).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let actual = Self.masked(output, store: store.path)
            let expected = Self.masked(step.expected, store: store.path)
            #expect(Self.matches(actual, expected), "`\(step.command)` printed:\n\(output.joined(separator: "\n"))\nwhich does not read as the README shows:\n\(step.expected.joined(separator: "\n"))")
        }
    }

    @Test("the masks and the elision match what they should and nothing else")
    func matcherRefuses() {
        #expect(Self.matches(["a", "b", "c", "d"], ["a", "...", "d"]))
        #expect(Self.matches(["a", "d"], ["a", "...", "d"]))
        #expect(!Self.matches(["a", "b", "c"], ["a", "...", "d"]))
        #expect(!Self.matches(["a", "x"], ["a"]))
        #expect(Self.masked(["entry 40f3902b617e on 2026-12-20, patient 717f8ed1-236a-4e97-abb7-7683c15774e6"], store: "/x")
                == ["entry <hex> on <date>, patient <uuid>"])
        #expect(Self.shiftingDates("--next-visit=2026-12-20", by: 3) == "--next-visit=2026-12-23")
        #expect(Self.words(#"accord mme --med "oxycodone 10 mg q6h" --json"#) == ["accord", "mme", "--med", "oxycodone 10 mg q6h", "--json"])
    }

    /// The commands and their output, from the blocks marked for the test.
    static func steps(_ text: String) -> [Step] {
        var steps: [Step] = []
        var checked = false, inBlock = false, marked = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("<!-- readme-test") { marked = true; continue }
            if line.hasPrefix("```") {
                if inBlock { inBlock = false; checked = false } else { inBlock = true; checked = marked; marked = false }
                continue
            }
            if !inBlock { if !line.trimmingCharacters(in: .whitespaces).isEmpty { marked = false }; continue }
            guard checked else { continue }
            if line.hasPrefix("$ accord ") {
                var command = String(line.dropFirst(2))
                if let comment = command.range(of: "  #") { command = String(command[..<comment.lowerBound]) }
                command = command.replacingOccurrences(of: "< /dev/null", with: "").trimmingCharacters(in: .whitespaces)
                steps.append(Step(command: command, arguments: Array(words(command).dropFirst()), expected: []))
            } else if !steps.isEmpty {
                steps[steps.count - 1].expected.append(line)
            }
        }
        // A blank line separates one command's output from the next command.
        return steps.map { step in
            var step = step
            while step.expected.last?.isEmpty == true { step.expected.removeLast() }
            return step
        }
    }

    /// Splits a command line into words, keeping double-quoted text together.
    static func words(_ line: String) -> [String] {
        var words: [String] = [], current = "", quoted = false, started = false
        for character in line {
            if character == "\"" { quoted.toggle(); started = true; continue }
            if character == " ", !quoted {
                if started { words.append(current) }
                current = ""; started = false
                continue
            }
            current.append(character); started = true
        }
        if started { words.append(current) }
        return words
    }

    static func writtenOn(_ text: String) -> LocalDate? {
        guard let range = text.range(of: "<!-- readme-test: written on ") else { return nil }
        return LocalDate(String(text[range.upperBound...].prefix(10)))
    }

    /// Today where the tour's store lives (America/Denver, as its `accord init` says).
    static func today() -> LocalDate { ClinicCalendar(identifier: "America/Denver")!.today() }

    static func shiftingDates(_ word: String, by days: Int) -> String {
        replacing(#"\d{4}-\d{2}-\d{2}"#, in: word) { LocalDate($0).map { $0.adding(days: days).description } ?? $0 }
    }

    static func masked(_ lines: [String], store: String) -> [String] {
        lines.map { line in
            var line = line.replacingOccurrences(of: store, with: "<store>").replacingOccurrences(of: "/root/.accord", with: "<store>")
            line = replacing(#"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"#, in: line) { _ in "<uuid>" }
            line = replacing(#"\d{4}-\d{2}-\d{2}"#, in: line) { _ in "<date>" }
            line = replacing(#"\b[0-9a-f]{8,64}\b"#, in: line) { _ in "<hex>" }
            return line.trimmingTrailingWhitespace
        }
    }

    /// Line by line; `...` in the expected lines stands for any number of actual lines.
    static func matches(_ actual: [String], _ expected: [String]) -> Bool {
        guard let first = expected.first else { return actual.isEmpty || actual.allSatisfy(\.isEmpty) }
        if first.trimmingCharacters(in: .whitespaces) == "..." {
            let rest = Array(expected.dropFirst())
            return (0...actual.count).contains { matches(Array(actual[$0...]), rest) }
        }
        guard let line = actual.first, line == first else { return false }
        return matches(Array(actual.dropFirst()), Array(expected.dropFirst()))
    }

    static func replacing(_ pattern: String, in text: String, with replacement: (String) -> String) -> String {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return text }
        var result = text
        for match in expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).reversed() {
            guard let range = Range(match.range, in: result) else { continue }
            result.replaceSubrange(range, with: replacement(String(result[range])))
        }
        return result
    }
}

extension String {
    var trimmingTrailingWhitespace: String {
        var text = self
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}
