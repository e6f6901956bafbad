import AccordCore
import Foundation

/// Prints results as text or as JSON with sorted, stable keys.
enum Output {
    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        FileHandle.standardOutput.write(data)
        FileHandle.standardOutput.write(Data("\n".utf8))
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
