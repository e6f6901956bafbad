import Foundation

/// A JSON document parsed into values, for `JSONTreeDecoder`. Objects keep their members in order in two parallel
/// arrays: an event's objects have a handful of keys, where a linear search beats hashing.
indirect enum JSONTree: Sendable {
    case null
    case bool(Bool)
    /// The number's text exactly as written; each type reads it with its own conversion.
    case number(String)
    case string(String)
    case array([JSONTree])
    case object(keys: [String], values: [JSONTree])

    /// How an error message names the kind of value found.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Parses one JSON text (RFC 8259): white space around it, nothing after it, strings valid UTF-8, objects
    /// without repeated keys (canonical JSON never repeats one, and a repeat would let two readers disagree).
    static func parse(_ data: Data) throws -> JSONTree {
        try data.withUnsafeBytes { raw in
            var parser = JSONTreeParser(bytes: raw.bindMemory(to: UInt8.self))
            return try parser.document()
        }
    }
}

/// Why a text is not JSON, with the byte offset where reading stopped.
struct JSONSyntaxError: Error, CustomStringConvertible {
    let offset: Int
    let problem: String
    var description: String { "not valid JSON at byte \(offset): \(problem)" }
}

private struct JSONTreeParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    var depth = 0
    /// Deeper nesting is refused rather than risking the stack on hostile input; events nest 4 levels.
    static let maximumDepth = 256

    init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    mutating func document() throws -> JSONTree {
        skipSpace()
        let value = try self.value()
        skipSpace()
        guard index == bytes.count else { throw fail("unexpected text after the value") }
        return value
    }

    func fail(_ problem: String) -> JSONSyntaxError { JSONSyntaxError(offset: index, problem: problem) }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func value() throws -> JSONTree {
        guard index < bytes.count else { throw fail("the text ends where a value should be") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fail("unexpected character")
        }
    }

    mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard bytes.count - index >= count,
              memcmp(bytes.baseAddress! + index, word.utf8Start, count) == 0 else { throw fail("unknown word") }
        index += count
    }

    mutating func nest() throws {
        depth += 1
        guard depth <= Self.maximumDepth else { throw fail("nested more than \(Self.maximumDepth) levels deep") }
    }

    mutating func object() throws -> JSONTree {
        try open()
        var keys: [String] = [], values: [JSONTree] = []
        if closes(UInt8(ascii: "}")) { return .object(keys: keys, values: values) }
        repeat {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
            let key = try string()
            guard !keys.contains(key) else { throw fail("the key \"\(key)\" appears twice") }
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
            index += 1
            skipSpace()
            keys.append(key)
            values.append(try value())
        } while try !endOfMember(UInt8(ascii: "}"), inside: "an object")
        return .object(keys: keys, values: values)
    }

    mutating func array() throws -> JSONTree {
        try open()
        var items: [JSONTree] = []
        if closes(UInt8(ascii: "]")) { return .array(items) }
        repeat {
            skipSpace()
            items.append(try value())
        } while try !endOfMember(UInt8(ascii: "]"), inside: "an array")
        return .array(items)
    }

    /// Steps over an object's or array's opening bracket, one level deeper.
    mutating func open() throws {
        try nest()
        index += 1
        skipSpace()
    }

    /// True, with the bracket consumed, when the next byte closes the container.
    mutating func closes(_ bracket: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == bracket else { return false }
        index += 1; depth -= 1
        return true
    }

    /// After a member or item: false past a ',' (another follows), true past the closing bracket.
    mutating func endOfMember(_ bracket: UInt8, inside container: String) throws -> Bool {
        skipSpace()
        guard index < bytes.count else { throw fail("the text ends inside \(container)") }
        if bytes[index] == UInt8(ascii: ",") { index += 1; return false }
        guard closes(bracket) else { throw fail("expected ',' or '\(Character(Unicode.Scalar(bracket)))'") }
        return true
    }

    /// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    mutating func number() throws -> String {
        let start = index
        func digits() -> Int {
            let from = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - from
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw fail("a number ends after '-'") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            guard digits() > 0 else { throw fail("a number needs digits") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw fail("a number needs digits after '.'") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw fail("a number needs digits in its exponent") }
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
    }

    mutating func string() throws -> String {
        index += 1
        let start = index
        // Most strings hold no escapes: read them straight from the bytes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = try validated(UnsafeBufferPointer(rebasing: bytes[start..<index]))
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw fail("a control character must be escaped inside a string") }
            index += 1
        }
        var utf8 = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return try utf8.withUnsafeBufferPointer { try validated($0) }
            case UInt8(ascii: "\\"):
                index += 1
                try escape(into: &utf8)
            default:
                guard byte >= 0x20 else { throw fail("a control character must be escaped inside a string") }
                utf8.append(byte)
                index += 1
            }
        }
        throw fail("the text ends inside a string")
    }

    func validated(_ utf8: UnsafeBufferPointer<UInt8>) throws -> String {
        guard let text = String(validating: utf8, as: UTF8.self) else { throw fail("a string is not valid UTF-8") }
        return text
    }

    mutating func escape(into utf8: inout [UInt8]) throws {
        guard index < bytes.count else { throw fail("the text ends inside an escape") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(byte)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try hex4())
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard bytes.count - index >= 2, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw fail("an unpaired surrogate in a \\u escape")
                }
                index += 2
                let low = UInt32(try hex4())
                guard (0xDC00..<0xE000).contains(low) else { throw fail("an unpaired surrogate in a \\u escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw fail("an unpaired surrogate in a \\u escape") }
            utf8.append(contentsOf: UTF8.encode(unicode)!)
        default:
            throw fail("an unknown escape")
        }
    }

    mutating func hex4() throws -> UInt16 {
        guard bytes.count - index >= 4 else { throw fail("a \\u escape needs four hex digits") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("a \\u escape needs four hex digits")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }
}
