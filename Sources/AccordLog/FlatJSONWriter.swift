import AccordCore
import Foundation

/// Writes a flat JSON object of strings and integers byte for byte as `CanonicalJSON` (Foundation's JSONEncoder with
/// sorted keys and unescaped slashes) writes it. Every pushed event gets an audit entry, and encoding them with
/// JSONEncoder was a third of the log's cost per push; `FlatJSONWriterTests` holds the two outputs equal.
struct FlatJSONWriter {
    private var members: [(key: String, value: Value)] = []

    private enum Value {
        case string(String)
        case integer(Int)
    }

    /// Adds a member; a nil value is left out, as `encodeIfPresent` leaves it out.
    mutating func add(_ key: String, _ value: String?) {
        if let value { members.append((key, .string(value))) }
    }

    mutating func add(_ key: String, _ value: Int) {
        members.append((key, .integer(value)))
    }

    var bytes: Data {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        out.append(UInt8(ascii: "{"))
        for (index, member) in members.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            JSONStringWriter.append(member.key, to: &out)
            out.append(UInt8(ascii: ":"))
            switch member.value {
            case .string(let text): JSONStringWriter.append(text, to: &out)
            case .integer(let number): out.append(contentsOf: String(number).utf8)
            }
        }
        out.append(UInt8(ascii: "}"))
        return Data(out)
    }
}
