import Foundation

/// Whole-process timings: posix_spawn and waitpid directly, output to /dev/null. Foundation's Process sets up pipes
/// and a run loop to learn of the exit, which the benchmark would time along with the command.
public enum ProcessTiming {
    /// Runs `executable` once and returns the wall time from spawn to exit in milliseconds; stops the benchmark when
    /// the command fails, since a figure for a failed command means nothing.
    public static func milliseconds(_ executable: URL, _ arguments: [String]) throws -> Double {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        var status: Int32 = 0
        let start = DispatchTime.now().uptimeNanoseconds
        guard posix_spawn(&pid, executable.path, &actions, nil, argv, environ) == 0 else {
            throw CocoaError(.executableLoad)
        }
        waitpid(pid, &status, 0)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        guard status == 0 else { fatalError("\(executable.lastPathComponent) \(arguments) failed with status \(status)") }
        return elapsed
    }
}
