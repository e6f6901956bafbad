import Crypto
import Foundation

/// The SHA-256 of an event's canonical bytes, as 64 lowercase hex digits: the id proves the content.
public struct EventID: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// 64 lowercase hex digits.
    public let hex: String

    /// Hashes the exact bytes that are stored and signed.
    public init(hashing bytes: Data) {
        let digest = SHA256.hash(data: bytes)
        self.hex = HexEncoding.encode(digest)
    }

    /// Accepts an id read back from storage or the wire; nil unless it is 64 lowercase hex digits.
    public init?(hex: String) {
        guard hex.utf8.count == 64, hex.utf8.allSatisfy(HexEncoding.isLowercaseHexDigit) else { return nil }
        self.hex = hex
    }

    /// Accepts the 32 bytes an id is stored as; nil for any other length.
    public init?(bytes: Data) {
        guard bytes.count == 32 else { return nil }
        self.hex = HexEncoding.encode(bytes)
    }

    /// The 32 bytes of the hash: how stores and servers keep the id, half the size of its hex digits in an index.
    public var bytes: Data { HexEncoding.decode(hex)! }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = EventID(hex: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an event id: \(text)"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }

    /// The hex digits.
    public var description: String { hex }
    /// The first 12 hex digits, enough to name an event in a patient's timeline.
    public var short: String { String(hex.prefix(12)) }

    /// Ordered by their hex digits.
    public static func < (lhs: EventID, rhs: EventID) -> Bool { lhs.hex < rhs.hex }
}

/// Lowercase hex, for ids and fingerprints.
public enum HexEncoding {
    /// `bytes` as lowercase hex. Written straight into the string's storage: ids are encoded for every event a
    /// site sends or receives, and a growing array cost more than the hashing.
    public static func encode<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            var index = 0
            for byte in bytes {
                out[index] = digit(byte >> 4)
                out[index + 1] = digit(byte & 0x0f)
                index += 2
            }
            return index
        }
    }

    /// A digest or other byte sequence that is not a collection, as lowercase hex.
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        encode(Array(bytes))
    }

    /// The bytes `text` spells in lowercase hex; nil when it has an odd length or any other character. Filled in
    /// place: appending byte by byte to `Data` went through its general `replaceSubrange` for every byte.
    public static func decode(_ text: String) -> Data? {
        var text = text
        return text.withUTF8 { digits -> Data? in
            guard digits.count.isMultiple(of: 2) else { return nil }
            var bytes = Data(count: digits.count / 2)
            let valid = bytes.withUnsafeMutableBytes { out -> Bool in
                for index in 0..<out.count {
                    guard let high = value(digits[2 * index]), let low = value(digits[2 * index + 1]) else { return false }
                    out[index] = high << 4 | low
                }
                return true
            }
            return valid ? bytes : nil
        }
    }

    private static func digit(_ value: UInt8) -> UInt8 {
        value < 10 ? value + 48 : value + 87
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 48...57: digit - 48
        case 97...102: digit - 87
        default: nil
        }
    }

    static func isLowercaseHexDigit(_ c: UInt8) -> Bool {
        (c >= 48 && c <= 57) || (c >= 97 && c <= 102)
    }
}
