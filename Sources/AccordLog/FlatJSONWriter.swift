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
            Self.appendString(member.key, to: &out)
            out.append(UInt8(ascii: ":"))
            switch member.value {
            case .string(let text): Self.appendString(text, to: &out)
            case .integer(let number): out.append(contentsOf: String(number).utf8)
            }
        }
        out.append(UInt8(ascii: "}"))
        return Data(out)
    }

    /// JSON string escaping as JSONEncoder does it: quote and backslash escaped, the short escapes for \b \f \n \r
    /// \t, other control characters as \u00XX in lowercase hex, everything else (slashes, non-ASCII) as is.
    private static func appendString(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
