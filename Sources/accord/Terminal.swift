import AccordCore
import AccordKit
import ArgumentParser
import Foundation

/// The clinician's terminal: prompts and answers. Ctrl-C or end of input at any prompt leaves the store untouched.
struct Terminal {
    /// The flow in progress, whose coaching `!` brings up at any prompt.
    var coaching: CoachingStep?

    /// True when standard input is a terminal, so the command may ask questions.
    static var isInteractive: Bool { isatty(STDIN_FILENO) != 0 }

    /// Raised when the clinician ends input (Ctrl-D) before the entry is complete.
    struct Cancelled: Error, CustomStringConvertible {
        var description: String { "Input ended before the entry was complete; nothing was written." }
    }

    init(coaching: CoachingStep? = nil) {
        self.coaching = coaching
        // A Ctrl-C while questions are being asked ends the command before anything is written.
        signal(SIGINT) { _ in
            let message = "\nCancelled; nothing was written.\n"
            _ = message.withCString { write(STDERR_FILENO, $0, strlen($0)) }
            _exit(130)
        }
    }

    /// Runs the write with Ctrl-C held back, so an entry is either fully recorded or not at all.
    func whileWriting<T>(_ body: () async throws -> T) async rethrows -> T {
        signal(SIGINT, SIG_IGN)
        defer { signal(SIGINT, SIG_DFL) }
        return try await body()
    }

    /// The write through `terminal` when there is one (Ctrl-C held back), else as it is.
    static func writing<T>(_ terminal: Terminal?, _ body: () async throws -> T) async rethrows -> T {
        guard let terminal else { return try await body() }
        return try await terminal.whileWriting(body)
    }

    func say(_ text: String = "") {
        print(text)
    }

    /// Asks until `parse` accepts the answer; nil from `parse` means ask again, with `hint`.
    func ask<T>(_ question: String, hint: String, parse: (String) -> T?) throws -> T {
        while true {
            print(question, terminator: " ")
            fflush(nil)  // flushes stdout so the question shows before the answer is read
            guard let line = readLine(strippingNewline: true) else { throw Cancelled() }
            if line.trimmingCharacters(in: .whitespaces) == "!", let coaching {
                // Coaching, then the same question again: nothing answered so far is lost.
                print(CoachText.render(coaching.situations))
                continue
            }
            if let value = parse(line.trimmingCharacters(in: .whitespaces)) { return value }
            print("  \(hint)")
        }
    }

    /// Free text; an empty answer is nil.
    func askOptionalText(_ question: String) throws -> String? {
        try ask(question, hint: "") { answer in Optional(answer) }.nilIfEmpty
    }

    func askRequiredText(_ question: String) throws -> String {
        try ask(question, hint: "An answer is needed here (or press Ctrl-C to stop without saving).") { $0.isEmpty ? nil : $0 }
    }

    func askChoice<T: RawRepresentable & CaseIterable>(_ question: String) throws -> T where T.RawValue == String {
        let options = T.allCases.map(\.rawValue).joined(separator: "/")
        return try ask("\(question) [\(options)]:", hint: "Type one of: \(options).") { T(rawValue: $0.lowercased()) }
    }

    func confirm(_ question: String) throws -> Bool {
        try ask("\(question) [y/n]:", hint: "Type y to record it or n to stop without saving.") { answer in
            switch answer.lowercased() {
            case "y", "yes": true
            case "n", "no": false
            default: nil
            }
        }
    }
}

extension String {
    var nilIfEmpty: String? {
        let trimmed = trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : trimmed
    }
}

extension Optional where Wrapped == String {
    var nilIfEmpty: String? { self?.nilIfEmpty }
}
