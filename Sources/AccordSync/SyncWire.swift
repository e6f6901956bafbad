import AccordCore
import Foundation

/// The sync protocol's wire format, shared by the client and the server (`schema/openapi.yaml` documents it).
///
/// Events travel as their exact stored bytes, one per line. A push line is `<id> <bytes>`, so the server can
/// check that nothing changed on the way; a pull line is the bytes alone, and the client recomputes the id.
public enum SyncWire {
    public static let eventsPath = "/v1/events"
    public static let healthPath = "/health"
    public static let contentType = "application/x-ndjson"
    /// Response headers of a pull: the cursor to ask from next, and whether more events wait.
    public static let cursorHeader = "Accord-Cursor"
    public static let moreHeader = "Accord-More"
    public static let maximumBatch = 1000
    public static let maximumBodyBytes = 8 * 1024 * 1024
    public static let defaultPageSize = 1000
    public static let maximumPageSize = 5000

    public static func pushBody<S: Sequence>(_ events: S) -> Data where S.Element == Event {
        pushBody(events.map { (id: $0.id, bytes: $0.bytes) })
    }

    public static func pushBody(_ events: [(id: EventID, bytes: Data)]) -> Data {
        var body = Data()
        body.reserveCapacity(events.reduce(0) { $0 + $1.bytes.count + 66 })
        for event in events {
            body.append(contentsOf: event.id.hex.utf8)
            body.append(UInt8(ascii: " "))
            body.append(event.bytes)
            body.append(UInt8(ascii: "\n"))
        }
        return body
    }

    /// One line of a push body: the claimed id and the bytes, or why the line is not of that form.
    public enum PushLine: Sendable {
        case event(claimed: String, bytes: Data)
        case malformed(String)
    }

    public static func pushLines(_ body: Data) -> [PushLine] {
        body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { line in
            guard line.count > 65, line[line.startIndex + 64] == UInt8(ascii: " ") else {
                return .malformed("a line must be a 64-digit event id, a space, and the event's bytes")
            }
            let claimed = String(decoding: line.prefix(64), as: UTF8.self)
            return .event(claimed: claimed, bytes: Data(line.dropFirst(65)))
        }
    }

    public static func pullBody<S: Sequence>(_ bodies: S) -> Data where S.Element == Data {
        var body = Data()
        for bytes in bodies {
            body.append(bytes)
            body.append(UInt8(ascii: "\n"))
        }
        return body
    }

    /// The events of a pull body, decoded and checked in as many parts as there are cores.
    public static func pullEventsInParallel(_ body: Data) async throws -> [Event] {
        let lines = body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { Data($0) }
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, lines.count / 64))
        let size = (lines.count + parts - 1) / max(parts, 1)
        return try await withThrowingTaskGroup(of: (Int, [Event]).self) { group in
            for part in 0..<parts {
                let range = (part * size)..<min(lines.count, (part + 1) * size)
                group.addTask { (part, try range.map { try Event(bytes: lines[$0]) }) }
            }
            var results = [[Event]](repeating: [], count: parts)
            for try await (part, events) in group { results[part] = events }
            return results.flatMap { $0 }
        }
    }

    public static func pullEvents(_ body: Data) throws(EventDecodingError) -> [Event] {
        try body.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true).map { line throws(EventDecodingError) in
            try Event(bytes: Data(line))
        }
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
    /// A stable code: malformed, id-mismatch, invalid, wrong-site, clock-ahead, not-in-care-team, unknown-site.
    public var code: String
    public var reason: String

    public init(id: String?, line: Int, code: String, reason: String) {
        self.id = id
        self.line = line
        self.code = code
        self.reason = reason
    }
}

/// The body of every 4xx and 5xx response.
public struct ErrorBody: Codable, Sendable, Equatable {
    public var error: String
    public var message: String

    public init(error: String, message: String) {
        self.error = error
        self.message = message
    }
}
