import AccordCore
import AccordLog
import Foundation

/// The sync protocol's wire format, shared by the client and the server (`schema/openapi.yaml` documents it).
///
/// Events travel as their exact stored bytes, one per line. A push line is `<id> <bytes>`, so the server can
/// check that nothing changed on the way; a pull line is the bytes alone, and the client recomputes the id. A signed
/// event's line ends with a tab and its base64 signature: canonical JSON never holds a raw tab, so the split is exact.
public enum SyncWire {
    /// Push (POST) and pull (GET) of events.
    public static let eventsPath = "/v1/events"
    /// Open to all: whether the server is up.
    public static let healthPath = "/health"
    /// The content type of push and pull bodies: one line per event.
    public static let contentType = "application/x-ndjson"
    /// Response headers of a pull: the cursor to ask from next, and whether more events wait.
    public static let cursorHeader = "Accord-Cursor"
    /// Set on a pull answer when more events wait after this page.
    public static let moreHeader = "Accord-More"
    /// Request header of a push and a pull: the id of the store syncing. Several stores (several clinicians'
    /// devices) share one site's credential; the server never sends a store the events that store pushed.
    public static let storeHeader = "Accord-Store"

    /// Whether `text` may be a store id: 8 to 64 characters of lowercase hex digits and dashes.
    public static func isValidStoreID(_ text: String) -> Bool {
        (8...64).contains(text.utf8.count) && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) || $0 == 45 }
    }
    /// Events per push. Batches of 5,000 measured no faster end to end (fewer batches overlap less) and hold the
    /// server's single writer five times longer, so other sites wait longer behind a large push.
    public static let maximumBatch = 1000
    /// The largest push body the server takes, inflated.
    public static let maximumBodyBytes = 8 * 1024 * 1024
    /// Events in a pull page when the request does not say.
    public static let defaultPageSize = 1000
    /// The most events a pull page holds.
    public static let maximumPageSize = 5000

    /// An event as it crosses the wire: id, exact bytes, and the signature when it is signed.
    public struct Item: Sendable {
        /// The event's id.
        public var id: EventID
        /// The event's exact canonical bytes.
        public var bytes: Data
        /// The clinician's signature over the bytes, for signed entries.
        public var signature: Data?
        /// An event as it travels.
        public init(id: EventID, bytes: Data, signature: Data?) { self.id = id; self.bytes = bytes; self.signature = signature }
    }

    /// A push body for `events`.
    public static func pushBody<S: Sequence>(_ events: S) -> Data where S.Element == Event {
        pushBody(events.map { Item(id: $0.id, bytes: $0.bytes, signature: $0.signature) })
    }

    /// A push body for `events`, one line each.
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

    /// The lines of a push body, as the server reads them.
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

    /// The events of a pull body, each checked against its id.
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
    /// When the push asked with `?since=N`: the log's latest signed checkpoint after this push, covering every event
    /// it stored, with the proof that the log of size N is a prefix of it. The site pins it at the end of the sync
    /// instead of asking for the checkpoint again. Absent from servers that predate it.
    public var log: CheckpointAnswer?

    /// An answer to a push.
    public init(accepted: [Acknowledgement], rejected: [Rejection], log: CheckpointAnswer? = nil) {
        self.accepted = accepted
        self.rejected = rejected
        self.log = log
    }
}

/// An event the server holds now.
public struct Acknowledgement: Codable, Sendable, Equatable {
    /// The event's id.
    public var id: String
    /// The event's position in the server-wide sequence.
    public var seq: Int64
    /// True when the server already held the event.
    public var duplicate: Bool

    /// An acknowledgement of event `id` at feed position `seq`; `duplicate` when it was held already.
    public init(id: String, seq: Int64, duplicate: Bool) {
        self.id = id
        self.seq = seq
        self.duplicate = duplicate
    }
}

/// A push line the server refused.
public struct Rejection: Codable, Sendable, Equatable {
    /// The event's id when the line had one.
    public var id: String?
    /// 1-based line of the push body.
    public var line: Int
    /// A stable code (`RefusalCode`).
    public var code: RefusalCode
    /// Why, in a sentence.
    public var reason: String

    /// A refusal of `line` (and event `id`, when the line had one).
    public init(id: String?, line: Int, code: RefusalCode, reason: String) {
        self.id = id
        self.line = line
        self.code = code
        self.reason = reason
    }
}

/// The body of every 4xx and 5xx response.
public struct ErrorBody: Codable, Sendable, Equatable {
    /// What kind of failure.
    public var error: APIErrorCode
    /// What is wrong and what to do.
    public var message: String

    /// An error body.
    public init(error: APIErrorCode, message: String) {
        self.error = error
        self.message = message
    }
}

/// A stable code on the wire: typed here, plain text there, open to codes a newer server adds.
public protocol WireCode: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral
where RawValue == String {
    init(rawValue: String)
}

extension WireCode {
    /// The code's text.
    public var description: String { rawValue }
    /// A code written as a literal.
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    /// Reads the code's text.
    public init(from decoder: any Decoder) throws { self.init(rawValue: try decoder.singleValueContainer().decode(String.self)) }
    /// Writes the code's text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Why the server refused one pushed event: a stable code on the wire, open to new codes from a newer server.
public struct RefusalCode: WireCode {
    /// The code as written on the wire.
    public let rawValue: String
    /// A code from its wire text; codes this version does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The line is not an event.
    public static let malformed = RefusalCode(rawValue: "malformed")
    /// The bytes do not hash to the id given.
    public static let idMismatch = RefusalCode(rawValue: "id-mismatch")
    /// The event breaks a rule.
    public static let invalid = RefusalCode(rawValue: "invalid")
    /// The event names another site than the sender.
    public static let wrongSite = RefusalCode(rawValue: "wrong-site")
    /// The event's time is too far ahead of the server's clock.
    public static let clockAhead = RefusalCode(rawValue: "clock-ahead")
    /// The sending site is not on the patient's care team.
    public static let notInCareTeam = RefusalCode(rawValue: "not-in-care-team")
    /// The event shares a record with a site the server does not know.
    public static let unknownSite = RefusalCode(rawValue: "unknown-site")
    /// An entry that must be signed is not.
    public static let unsigned = RefusalCode(rawValue: "unsigned")
    /// The signature does not verify over the bytes.
    public static let signatureInvalid = RefusalCode(rawValue: "signature-invalid")
    /// The signing key is not registered.
    public static let keyUnknown = RefusalCode(rawValue: "key-unknown")
    /// The signing key awaits the administrator's approval.
    public static let keyPending = RefusalCode(rawValue: "key-pending")
    /// The signing key was revoked.
    public static let keyRevoked = RefusalCode(rawValue: "key-revoked")
    /// The key is registered for another site or clinician.
    public static let keyMismatch = RefusalCode(rawValue: "key-mismatch")
    /// The event's author is a clinician of another site.
    public static let authorWrongSite = RefusalCode(rawValue: "author-wrong-site")
    /// The bytes are not the event's canonical encoding (unknown fields, another key order, white space, number forms).
    public static let notCanonical = RefusalCode(rawValue: "not-canonical")
    /// A parent is neither on the server nor earlier in the same push.
    public static let unknownParent = RefusalCode(rawValue: "unknown-parent")

}

/// The `error` of an `ErrorBody`: what kind of failure a 4xx or 5xx answer reports.
public struct APIErrorCode: WireCode {
    /// The code as written on the wire.
    public let rawValue: String
    /// A code from its wire text; codes this version does not know are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// No valid credential came with the request.
    public static let unauthorized = APIErrorCode(rawValue: "unauthorized")
    /// The request is malformed.
    public static let badRequest = APIErrorCode(rawValue: "bad-request")
    /// Nothing answers to what was asked.
    public static let notFound = APIErrorCode(rawValue: "not-found")
    /// The audit log has no checkpoint yet: nothing can be proved until the first site is enrolled.
    public static let logEmpty = APIErrorCode(rawValue: "log-empty")
    /// The body is over the limit.
    public static let tooLarge = APIErrorCode(rawValue: "too-large")
    /// The body's encoding is not gzip or none.
    public static let unsupportedEncoding = APIErrorCode(rawValue: "unsupported-encoding")
    /// The request contradicts what the server holds.
    public static let conflict = APIErrorCode(rawValue: "conflict")
    /// The shared database cannot be reached just now; try again.
    public static let storageUnavailable = APIErrorCode(rawValue: "storage-unavailable")
    /// The route does not answer this method; the Allow header lists those it does.
    public static let methodNotAllowed = APIErrorCode(rawValue: "method-not-allowed")
    /// The body's Content-Type is not the one the route reads.
    public static let unsupportedMediaType = APIErrorCode(rawValue: "unsupported-media-type")
    /// The request's body did not arrive in time.
    public static let requestTimeout = APIErrorCode(rawValue: "request-timeout")
    /// Too many requests from this address; wait the seconds in Retry-After.
    public static let rateLimited = APIErrorCode(rawValue: "rate-limited")

}

/// `GET /v1/log/checkpoint?since=N`: the latest signed checkpoint with the consistency proof from size N.
public struct CheckpointAnswer: Codable, Sendable, Equatable {
    /// The latest signed checkpoint.
    public var checkpoint: Checkpoint
    /// The proof that the log the site verified last is a prefix of this one.
    public var consistency: ConsistencyProof
    /// An answer with its consistency proof.
    public init(checkpoint: Checkpoint, consistency: ConsistencyProof) { self.checkpoint = checkpoint; self.consistency = consistency }
}

/// `GET /v1/log/inclusion?event=ID`: the proof that an accepted event is in the log, at a signed checkpoint.
public struct InclusionAnswer: Codable, Sendable {
    /// The proof that the event's entry is in the log.
    public var proof: InclusionProof
    /// The signed checkpoint the proof leads to.
    public var checkpoint: Checkpoint
    /// An inclusion answer.
    public init(proof: InclusionProof, checkpoint: Checkpoint) { self.proof = proof; self.checkpoint = checkpoint }
}

