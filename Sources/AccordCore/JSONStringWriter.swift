/// Writes a JSON string as Foundation's JSONEncoder does with unescaped slashes: quote and backslash escaped, the
/// short escapes for \b \f \n \r \t, other control characters as \u00XX in lowercase hex, every other byte (slashes,
/// non-ASCII) as it is. Shared by the canonical writers of events (`CanonicalWriter`) and audit entries
/// (`FlatJSONWriter`), whose tests hold their output equal to JSONEncoder's.
public enum JSONStringWriter {
    /// Appends `text`, quoted and escaped. Runs of bytes that need no escape are copied whole.
    public static func append(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var runStart = 0
            for (index, byte) in bytes.enumerated() where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                appendEscape(byte, to: &out)
                runStart = index + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(_ byte: UInt8, to out: inout [UInt8]) {
        let backslash = UInt8(ascii: "\\")
        switch byte {
        case 0x08: out += [backslash, UInt8(ascii: "b")]
        case 0x0C: out += [backslash, UInt8(ascii: "f")]
        case 0x0A: out += [backslash, UInt8(ascii: "n")]
        case 0x0D: out += [backslash, UInt8(ascii: "r")]
        case 0x09: out += [backslash, UInt8(ascii: "t")]
        case 0x00..<0x20:
            let digits = Array("0123456789abcdef".utf8)
            out += [backslash, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
        default: out += [backslash, byte]
        }
    }
}
