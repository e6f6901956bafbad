import AccordCore
import AccordStore
import Foundation

/// A folder that exists for one test.
struct TemporaryDirectory {
    let url: URL

    init(_ name: String = "accord-test") {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ component: String) -> URL { url.appendingPathComponent(component) }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The package's root folder and the built executables beside the test bundle.
enum Paths {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var buildProducts: URL {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // On Linux the test runner is `<products>/AccordPackageTests.xctest`; on macOS it sits inside a bundle.
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("accord").path), url.path != "/" {
            url.deleteLastPathComponent()
        }
        return url
    }

    static func executable(_ name: String) -> URL { buildProducts.appendingPathComponent(name) }
}

/// The outcome of running a process to completion.
struct ProcessResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

enum Run {
    /// Runs `executable` with `arguments`, feeding `input` (or nothing) on standard input.
    @discardableResult
    static func process(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                        input: String? = nil, captureOutput: Bool = true) throws -> ProcessResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "ACCORD_HOME")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe(), inp = Pipe()
        // A daemon the process starts (tmux's server) would inherit the pipes and hold them open forever.
        process.standardOutput = captureOutput ? out : FileHandle.nullDevice
        process.standardError = captureOutput ? err : FileHandle.nullDevice
        process.standardInput = inp
        try process.run()
        if let input { inp.fileHandleForWriting.write(Data(input.utf8)) }
        try inp.fileHandleForWriting.close()
        let stdoutData = captureOutput ? out.fileHandleForReading.readDataToEndOfFile() : Data()
        let stderrData = captureOutput ? err.fileHandleForReading.readDataToEndOfFile() : Data()
        process.waitUntilExit()
        return ProcessResult(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                             stderr: String(decoding: stderrData, as: UTF8.self))
    }

    /// Runs the `accord` binary against the store in `store`.
    @discardableResult
    static func accord(_ arguments: [String], store: URL, input: String? = nil) throws -> ProcessResult {
        try process(Paths.executable("accord"), arguments, environment: ["ACCORD_HOME": store.path], input: input)
    }
}

/// A small, fast random generator with a seed, so a failing property test can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A physical clock a test can move by hand, backwards as well as forwards.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64
    init(_ start: Int64) { value = start }
    var now: Int64 {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
    var physical: PhysicalClock { PhysicalClock { [self] in now } }
}
