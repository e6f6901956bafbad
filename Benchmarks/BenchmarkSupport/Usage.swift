import Foundation

/// How a benchmark answers `--help` and arguments it cannot use: the usage on standard output and exit 0 for help,
/// or the problem and the usage on standard error and exit 64 (EX_USAGE), instead of a crash.
public enum Usage {
    public static func check(_ arguments: [String], usage: String) {
        if arguments.contains("--help") || arguments.contains("-h") {
            print(usage)
            exit(0)
        }
    }

    public static func fail(_ problem: String, usage: String) -> Never {
        FileHandle.standardError.write(Data("\(problem)\n\(usage)\n".utf8))
        exit(64)
    }
}
