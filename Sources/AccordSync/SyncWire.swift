import AccordCore
import AccordLog
import Foundation

/// The sync protocol's wire format, shared by the client and the server (`schema/openapi.yaml` documents it).
///
/// Events travel as their exact stored bytes, one per line. A push line is `<id> <bytes>`, so the server can
/// check that nothing changed on the way; a pull line is the bytes alone, and the client recomputes the id. A signed
/// event's line ends with a tab and its base64 signature: canonical JSON never holds a raw tab, so the split is exact.
public enum SyncWire {
    public static let eventsPath = "/v1/events"
    public static let healthPath = "/health"
    public static let contentType = "application/x-ndjson"
    /// Response headers of a pull: the cursor to ask from next, and whether more events wait.
    public static let cursorHeader = "Accord-Cursor"
    public static let moreHeader = "Accord-More"
    /// Events per push. Batches of 5,000 measured no faster end to end (fewer batches overlap less) and hold the
    /// server's single writer five times longer, so other sites wait longer behind a large push.
    public static let maximumBatch = 1000
    public static let maximumBodyBytes = 8 * 1024 * 1024
    public static let defaultPageSize = 1000
    public static let maximumPageSize = 5000

    /// An event as it crosses the wire: id, exact bytes, and the signature when it is signed.
    public struct Item: Sendable {
        public var id: EventID
        public var bytes: Data
        public var signature: Data?
        public init(id: EventID, bytes: Data, signature: Data?) { self.id = id; self.bytes = bytes; self.signature = signature }
    }

    public static func pushBody<S: Sequence>(_ events: S) -> Data where S.Element == Event {
        pushBody(events.map { Item(id: $0.id, bytes: $0.bytes, signature: $0.signature) })
    }

    public static func pushBody(_ events: [Item]) -> Data {
        var body = Data()
        body.reserveCapacity(events.reduce(0) { $0 + lineLength($1) })
        for event in events {
            body.append(contentsOf: event.id.hex.utf8)
            body.append(UInt8(ascii: " "))
            appendLine(event.bytes, event.signature, to: &body)
        }
        return body
    }

    /// The bytes `item` takes in a push body: id, space, then its pull line.
    public static func lineLength(_ item: Item) -> Int {
        64 + 1 + pullLineLength(bytes: item.bytes, signature: item.signature)
    }

    /// The bytes an event takes in a pull page: its bytes, the base64 signature after a tab, newline.
    public static func pullLineLength(bytes: Data, signature: Data?) -> Int {
        bytes.count + (signature.map { 1 + ($0.count + 2) / 3 * 4 } ?? 0) + 1
    }

    /// The longest prefix of `items` whose push body stays within `maximumBytes` (the server answers 413 past
    /// it), and never less than one item: long notes must not make a batch of thousands too big to send.
    public static func fittingBody(_ items: [Item], maximumBytes: Int = maximumBodyBytes) -> [Item] {
        var total = 0
        var count = 0
        for item in items {
            total += lineLength(item)
            if total > maximumBytes && count > 0 { break }
            count += 1
        }
        return Array(items.prefix(count))
    }

    static func appendLine(_ bytes: Data, _ signature: Data?, to body: inout Data) {
        body.append(bytes)
        if let signature {
            body.append(UInt8(ascii: "\t"))
            body.append(contentsOf: signature.base64EncodedString().utf8)
        }
        body.append(UInt8(ascii: "\n"))
    }

    /// The ranges of the body's non-empty lines. One pass with memchr over the raw bytes: `Data.split` reads
    /// byte by byte through generic indexing, which cost seconds per 100,000 events.
    static func lineRanges(_ body: Data) -> [Range<Int>] {
        body.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return [] }
            var ranges: [Range<Int>] = []
            var start = 0
            while start < raw.count {
                let end = memchr(base + start, 0x0A, raw.count - start).map { UnsafeRawPointer($0) - base } ?? raw.count
                if end > start { ranges.append(start..<end) }
                start = end + 1
            }
            return ranges
        }
    }

    /// Splits `<bytes>[\t<base64 signature>]` (the line without its id); nil when the signature is not base64.
    static func splitSignature(_ line: UnsafeRawBufferPointer) -> (bytes: Data, signature: Data?)? {
        var tab = line.count
        while tab > 0, line[tab - 1] != UInt8(ascii: "\t") { tab -= 1 }
        guard tab > 0 else { return (Data(line), nil) }
        guard let signature = Data(base64Encoded: Data(UnsafeRawBufferPointer(rebasing: line[tab...]))) else { return nil }
        return (Data(UnsafeRawBufferPointer(rebasing: line[..<(tab - 1)])), signature)
    }

    /// One line of a push body: the claimed id, the bytes and any signature, or why the line is not of that form.
    public enum PushLine: Sendable {
        case event(claimed: String, bytes: Data, signature: Data?)
        case malformed(String)
    }

    public static func pushLines(_ body: Data) -> [PushLine] {
        let ranges = lineRanges(body)
        return body.withUnsafeBytes { raw in
            ranges.map { range in
                let line = UnsafeRawBufferPointer(rebasing: raw[range])
                guard line.count > 65, line[64] == UInt8(ascii: " ") else {
                    return .malformed("a line must be a 64-digit event id, a space, and the event's bytes")
                }
                let claimed = String(decoding: line[..<64], as: UTF8.self)
                guard let parts = splitSignature(UnsafeRawBufferPointer(rebasing: line[65...])) else {
                    return .malformed("the signature after the tab must be base64")
                }
                return .event(claimed: claimed, bytes: parts.bytes, signature: parts.signature)
            }
        }
    }

    /// A pull body: one line per event, its bytes and, for a signed event, a tab and the signature.
    public static func pullBody(_ events: [(bytes: Data, signature: Data?)]) -> Data {
        var body = Data()
        for event in events { appendLine(event.bytes, event.signature, to: &body) }
        return body
    }

    /// The lines of a pull body as (bytes, signature), undecoded; nil when a signature is not base64.
    static func pullLines(_ body: Data) -> [(bytes: Data, signature: Data?)]? {
        let ranges = lineRanges(body)
        return body.withUnsafeBytes { raw in
            var lines: [(bytes: Data, signature: Data?)] = []
            lines.reserveCapacity(ranges.count)
            for range in ranges {
                guard let parts = splitSignature(UnsafeRawBufferPointer(rebasing: raw[range])) else { return nil }
                lines.append(parts)
            }
            return lines
        }
    }

    static let badSignatureText = EventDecodingError.malformed("the signature after the tab is not base64")

    /// The events of a pull body, decoded and checked in as many parts as there are cores.
    public static func pullEventsInParallel(_ body: Data) async throws -> [Event] {
        guard let lines = pullLines(body) else { throw badSignatureText }
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, lines.count / 64))
        let size = (lines.count + parts - 1) / max(parts, 1)
        return try await withThrowingTaskGroup(of: (Int, [Event]).self) { group in
            for part in 0..<parts {
                let range = (part * size)..<min(lines.count, (part + 1) * size)
                group.addTask { (part, try range.map { try Event(bytes: lines[$0].bytes, signature: lines[$0].signature) }) }
            }
            var results = [[Event]](repeating: [], count: parts)
            for try await (part, events) in group { results[part] = events }
            return results.flatMap { $0 }
        }
    }

    public static func pullEvents(_ body: Data) throws(EventDecodingError) -> [Event] {
        guard let lines = pullLines(body) else { throw badSignatureText }
        return try lines.map { line throws(EventDecodingError) in try Event(bytes: line.bytes, signature: line.signature) }
    }
}

/// What the server says about each event of a push. Keys are part of the API.
public struct PushResponse: Codable, Sendable, Equatable {
    /// Stored now or before: the site may drop these from its outbox.
    public var accepted: [Acknowledgement]
    /// Refused, one by one with the reason; the rest of the batch is kept.
    public var rejected: [Rejection]

    public init(accepted: [Acknowledgement], rejected: [Rejection]) {
        self.accepted = accepted
        self.rejected = rejected
    }
}

public struct Acknowledgement: Codable, Sendable, Equatable {
    public var id: String
    /// The event's position in the server-wide sequence.
    public var seq: Int64
    /// True when the server already held the event.
    public var duplicate: Bool

    public init(id: String, seq: Int64, duplicate: Bool) {
        self.id = id
        self.seq = seq
        self.duplicate = duplicate
    }
}

public struct Rejection: Codable, Sendable, Equatable {
    /// The event's id when the line had one.
    public var id: String?
    /// 1-based line of the push body.
    public var line: Int
    /// A stable code (`RefusalCode`).
    public var code: RefusalCode
    public var reason: String

    public init(id: String?, line: Int, code: RefusalCode, reason: String) {
        self.id = id
        self.line = line
        self.code = code
        self.reason = reason
    }
}

/// The body of every 4xx and 5xx response.
public struct ErrorBody: Codable, Sendable, Equatable {
    public var error: APIErrorCode
    public var message: String

    public init(error: APIErrorCode, message: String) {
        self.error = error
        self.message = message
    }
}

/// Why the server refused one pushed event: a stable code on the wire, open to new codes from a newer server.
public struct RefusalCode: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let malformed = RefusalCode(rawValue: "malformed")
    public static let idMismatch = RefusalCode(rawValue: "id-mismatch")
    public static let invalid = RefusalCode(rawValue: "invalid")
    public static let wrongSite = RefusalCode(rawValue: "wrong-site")
    public static let clockAhead = RefusalCode(rawValue: "clock-ahead")
    public static let notInCareTeam = RefusalCode(rawValue: "not-in-care-team")
    public static let unknownSite = RefusalCode(rawValue: "unknown-site")
    public static let unsigned = RefusalCode(rawValue: "unsigned")
    public static let signatureInvalid = RefusalCode(rawValue: "signature-invalid")
    public static let keyUnknown = RefusalCode(rawValue: "key-unknown")
    public static let keyPending = RefusalCode(rawValue: "key-pending")
    public static let keyRevoked = RefusalCode(rawValue: "key-revoked")
    public static let keyMismatch = RefusalCode(rawValue: "key-mismatch")

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The `error` of an `ErrorBody`: what kind of failure a 4xx or 5xx answer reports.
public struct APIErrorCode: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    public static let unauthorized = APIErrorCode(rawValue: "unauthorized")
    public static let badRequest = APIErrorCode(rawValue: "bad-request")
    public static let notFound = APIErrorCode(rawValue: "not-found")
    /// The audit log has no checkpoint yet: nothing can be proved until the first site is enrolled.
    public static let logEmpty = APIErrorCode(rawValue: "log-empty")
    public static let tooLarge = APIErrorCode(rawValue: "too-large")
    public static let unsupportedEncoding = APIErrorCode(rawValue: "unsupported-encoding")
    public static let conflict = APIErrorCode(rawValue: "conflict")
    public static let storageUnavailable = APIErrorCode(rawValue: "storage-unavailable")

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// `GET /v1/log/checkpoint?since=N`: the latest signed checkpoint with the consistency proof from size N.
public struct CheckpointAnswer: Codable, Sendable {
    public var checkpoint: Checkpoint
    public var consistency: ConsistencyProof
    public init(checkpoint: Checkpoint, consistency: ConsistencyProof) { self.checkpoint = checkpoint; self.consistency = consistency }
}

/// `GET /v1/log/inclusion?event=ID`: the proof that an accepted event is in the log, at a signed checkpoint.
public struct InclusionAnswer: Codable, Sendable {
    public var proof: InclusionProof
    public var checkpoint: Checkpoint
    public init(proof: InclusionProof, checkpoint: Checkpoint) { self.proof = proof; self.checkpoint = checkpoint }
}

extension RefusalCode: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
}

extension APIErrorCode: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(rawValue: value) }
}
