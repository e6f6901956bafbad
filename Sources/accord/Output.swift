import AccordCore
import AccordKit
import Foundation

/// Prints results as text or as JSON with sorted, stable keys.
enum Output {
    static func json<T: Encodable>(_ value: T) throws {
        FileHandle.standardOutput.write(try jsonData(value))
    }

    /// Pretty, sorted-key JSON ending in a newline: what `--json` prints and what exports write.
    static func jsonData<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value) + Data("\n".utf8)
    }

    static func line(_ text: String = "") {
        print(text)
    }
}

/// What a command that records one event prints with `--json`.
struct RecordedOutput: Encodable {
    var event: String
    var patient: String
    var type: String
    var goal: String?
    var agreement: String?
}
