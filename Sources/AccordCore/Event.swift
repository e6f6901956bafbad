import Foundation

/// An event as stored and sent: its canonical bytes, the SHA-256 id of those bytes, and their decoded content.
/// The only ways to make one either encode an envelope or verify given bytes, so `id` always proves `bytes`.
public struct Event: Sendable, Hashable, Identifiable {
    /// The SHA-256 of the bytes.
    public let id: EventID
    /// The exact canonical bytes.
    public let bytes: Data
    /// What the bytes say.
    public let envelope: EventEnvelope
    /// The Ed25519 signature over `bytes` when the event is signed (see `Signing`); it travels and is stored beside
    /// the bytes, never inside them, so the id and the signature cover the same bytes.
    public let signature: Data?

    /// Encodes a new event into its canonical bytes (JSON, keys sorted, no white space).
    public init(_ envelope: EventEnvelope) throws {
        try EventRules.validate(envelope)
        let bytes = try CanonicalJSON.encode(envelope)
        self.id = EventID(hashing: bytes)
        self.bytes = bytes
        self.envelope = envelope
        self.signature = nil
    }

    /// Reads stored or received bytes; `expectedID`, when given, must be the SHA-256 of the bytes.
    public init(bytes: Data, expectedID: EventID? = nil, signature: Data? = nil) throws(EventDecodingError) {
        let id = EventID(hashing: bytes)
        if let expectedID, expectedID != id { throw .idMismatch(expected: expectedID, actual: id) }
        let envelope: EventEnvelope
        do {
            envelope = try JSONTreeDecoder().decode(EventEnvelope.self, from: bytes)
        } catch {
            throw .malformed(String(describing: error))
        }
        do { try EventRules.validate(envelope) } catch { throw .invalid(error) }
        self.id = id
        self.bytes = bytes
        self.envelope = envelope
        self.signature = signature
    }

    /// Events are the same when their ids are.
    public static func == (lhs: Event, rhs: Event) -> Bool { lhs.id == rhs.id }
    /// Hashes the id.
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    /// The order every site folds a patient's events in: hybrid logical clock, then site, then id.
    public static func foldOrder(_ lhs: Event, _ rhs: Event) -> Bool {
        if lhs.envelope.hlc != rhs.envelope.hlc { return lhs.envelope.hlc < rhs.envelope.hlc }
        if lhs.envelope.site != rhs.envelope.site { return lhs.envelope.site < rhs.envelope.site }
        return lhs.id < rhs.id
    }
}

/// Why bytes could not be read as an event.
public enum EventDecodingError: Error, Sendable, CustomStringConvertible {
    case idMismatch(expected: EventID, actual: EventID)
    case malformed(String)
    case invalid(RuleViolation)

    /// The event's type and short id.
    public var description: String {
        switch self {
        case .idMismatch(let expected, let actual):
            "event bytes do not match their id (expected \(expected.short), the bytes hash to \(actual.short))"
        case .malformed(let detail): "event is not well-formed JSON of a known type: \(detail)"
        case .invalid(let error): "event breaks a rule: \(error)"
        }
    }
}

/// The JSON form events are stored in. The bytes are produced once, when the event is written, and never again.
public enum CanonicalJSON {
    /// Canonical JSON: sorted keys, no white space.
    public static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// True when `bytes` are `value`'s canonical encoding. Written first by `CanonicalWriter`, which costs less than
    /// `JSONEncoder`; only when that differs (or cannot write the value) does `JSONEncoder` decide, so a difference
    /// between the two can never refuse bytes `JSONEncoder` would have written.
    public static func isEncoding<T: Encodable>(_ bytes: Data, of value: T) -> Bool {
        if let written = try? CanonicalWriter.encode(value), written == bytes { return true }
        return (try? encode(value)) == bytes
    }
}
