import Foundation
import Testing

/// A command running in a real pseudo-terminal under tmux, driven the way a clinician would type.
final class TmuxSession {
    let socket = "accord-test-\(UUID().uuidString.prefix(8))"
    let tmux = URL(fileURLWithPath: "/usr/bin/env")

    /// Starts `command` (a shell command line) in a detached 200x50 terminal; the pane prints `EXIT=<status>` at the end.
    init(_ command: String) throws {
        // Foundation learns that a child exited when a descriptor it shares with the child closes; tmux's server
        // would inherit that descriptor and keep it open, so start tmux with every descriptor above 2 closed.
        let closeAndExec = "import os, sys; os.closerange(3, 65536); os.execvp(sys.argv[1], sys.argv[1:])"
        try Run.process(tmux, ["python3", "-c", closeAndExec, "tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "main",
                               "-x", "200", "-y", "50", "sh", "-c", "trap : INT; \(command); echo EXIT=$?; sleep 120"], captureOutput: false)
    }

    deinit { _ = try? run(["kill-server"]) }

    /// Types `text` literally, then Enter.
    func type(_ text: String) throws {
        if !text.isEmpty { try run(["send-keys", "-t", "main", "-l", text]) }
        try run(["send-keys", "-t", "main", "Enter"])
    }

    /// Sends a key by tmux name: `C-c`, `C-d`, `Enter`.
    func press(_ key: String) throws { try run(["send-keys", "-t", "main", key]) }

    func screen() throws -> String {
        try run(["capture-pane", "-p", "-t", "main", "-S", "-2000"]).stdout
    }

    /// Waits until the screen shows `text` `count` times; fails the test with the screen if it never does.
    @discardableResult
    func waitFor(_ text: String, count: Int = 1, timeout: TimeInterval = 20, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if last.components(separatedBy: text).count - 1 >= count { return last }
            Thread.sleep(forTimeInterval: 0.05)
        }
        Issue.record("screen never showed \(text.debugDescription) (\(count)x); it shows:\n\(last)", sourceLocation: sourceLocation)
        return last
    }

    @discardableResult
    private func run(captureOutput: Bool = true, _ arguments: [String]) throws -> ProcessResult {
        try Run.process(tmux, ["tmux", "-L", socket, "-f", "/dev/null"] + arguments, captureOutput: captureOutput)
    }

    static var available: Bool {
        (try? Run.process(URL(fileURLWithPath: "/usr/bin/env"), ["tmux", "-V"]).status) == 0
    }
}
