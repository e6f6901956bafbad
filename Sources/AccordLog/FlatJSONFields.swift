import Foundation

/// Reads the top-level string and integer members of a flat JSON object (as `AuditEntry` is written) in one pass,
/// without building objects: `audit verify` reads a million entries, and Codable decoding would be most of its time.
public struct FlatJSONFields {
    /// The text fields.
    public private(set) var strings: [String: String] = [:]
    /// The whole-number fields.
    public private(set) var integers: [String: Int] = [:]

    /// Nil when the bytes are not a flat object of strings, integers, booleans and nulls.
    public init?(_ bytes: Data) {
        var strings: [String: String] = [:]
        var integers: [String: Int] = [:]
        let ok: Bool = bytes.withUnsafeBytes { raw in
            let b = raw.bindMemory(to: UInt8.self)
            var i = 0
            let n = b.count
            func skipSpace() { while i < n, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 } }
            /// Reads a string starting at a quote; returns its decoded text.
            func string() -> String? {
                guard i < n, b[i] == 0x22 else { return nil }
                i += 1
                let start = i
                var escaped = false
                while i < n, b[i] != 0x22 {
                    if b[i] == 0x5C { escaped = true; i += 1 }
                    i += 1
                }
                guard i < n else { return nil }
                let slice = UnsafeBufferPointer(rebasing: b[start..<i])
                i += 1
                if !escaped { return String(decoding: slice, as: UTF8.self) }
                // Rare: let Foundation undo the escapes.
                var quoted = Data([0x22]); quoted.append(contentsOf: slice); quoted.append(0x22)
                return (try? JSONDecoder().decode(String.self, from: quoted))
            }
            skipSpace()
            guard i < n, b[i] == 0x7B else { return false }
            i += 1
            skipSpace()
            if i < n, b[i] == 0x7D { return true }
            while i < n {
                skipSpace()
                guard let key = string() else { return false }
                skipSpace()
                guard i < n, b[i] == 0x3A else { return false }
                i += 1
                skipSpace()
                guard i < n else { return false }
                switch b[i] {
                case 0x22:
                    guard let value = string() else { return false }
                    strings[key] = value
                case 0x2D, 0x30...0x39:
                    var value = 0, negative = false
                    if b[i] == 0x2D { negative = true; i += 1 }
                    let digitsStart = i
                    while i < n, (0x30...0x39).contains(b[i]) { value = value &* 10 &+ Int(b[i] - 0x30); i += 1 }
                    guard i > digitsStart, i - digitsStart <= 18 else { return false }
                    integers[key] = negative ? -value : value
                case 0x74 where n - i >= 4: i += 4  // true
                case 0x66 where n - i >= 5: i += 5  // false
                case 0x6E where n - i >= 4: i += 4  // null
                default: return false
                }
                skipSpace()
                guard i < n else { return false }
                if b[i] == 0x2C { i += 1; continue }
                if b[i] == 0x7D { i += 1; skipSpace(); return i == n }
                return false
            }
            return false
        }
        guard ok else { return nil }
        self.strings = strings
        self.integers = integers
    }
}
