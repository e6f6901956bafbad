import AccordCore
import AccordSync
import Foundation

/// The checks every pushed line passes before it is stored, the same whatever the storage.
public enum PushCheck {
    public enum Outcome: Sendable {
        case valid(Event)
        case refused(Rejection)
    }

    /// Checks every line, decoding in as many parts as there are cores: decoding is most of a push's work.
    public static func checkAll(_ lines: [SyncWire.PushLine], site: String, now: Int64, maximumSkew: Int64) async -> [Outcome] {
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, lines.count / 64))
        guard parts > 1 else {
            return lines.enumerated().map { check($0.element, line: $0.offset + 1, site: site, now: now, maximumSkew: maximumSkew) }
        }
        let size = (lines.count + parts - 1) / parts
        return await withTaskGroup(of: (Int, [Outcome]).self) { group in
            for part in 0..<parts {
                let range = (part * size)..<min(lines.count, (part + 1) * size)
                group.addTask {
                    (part, range.map { check(lines[$0], line: $0 + 1, site: site, now: now, maximumSkew: maximumSkew) })
                }
            }
            var results = [[Outcome]](repeating: [], count: parts)
            for await (part, outcomes) in group { results[part] = outcomes }
            return results.flatMap { $0 }
        }
    }

    static func check(_ line: SyncWire.PushLine, line number: Int, site: String, now: Int64, maximumSkew: Int64) -> Outcome {
        switch line {
        case .malformed(let reason):
            return .refused(Rejection(id: nil, line: number, code: .malformed, reason: reason))
        case .event(let claimed, let bytes, let signature):
            guard let id = EventID(hex: claimed) else {
                return .refused(Rejection(id: nil, line: number, code: .malformed, reason: "'\(claimed.prefix(64))' is not an event id (64 lowercase hex digits)"))
            }
            let event: Event
            do {
                event = try Event(bytes: bytes, expectedID: id, signature: signature)
            } catch {
                if case .idMismatch = error {
                    return .refused(Rejection(id: claimed, line: number, code: .idMismatch, reason: "the bytes do not hash to the event id; they were changed or damaged on the way"))
                }
                return .refused(Rejection(id: claimed, line: number, code: .invalid, reason: error.description))
            }
            // The one encoding every site writes: anything else (an unknown field the decoder dropped, another key
            // order, white space, another number form) would be stored as bytes no other site could have made.
            guard CanonicalJSON.isEncoding(bytes, of: event.envelope) else {
                return .refused(Rejection(id: claimed, line: number, code: .notCanonical,
                                          reason: "the bytes are not the event's canonical encoding (sorted keys, no white space, no unknown fields); send the bytes the store wrote"))
            }
            guard event.envelope.site == site else {
                return .refused(Rejection(id: claimed, line: number, code: .wrongSite,
                                          reason: "the event was written at site '\(event.envelope.site)', but this credential belongs to '\(site)'"))
            }
            let ahead = event.envelope.hlc.wall - now
            guard ahead <= maximumSkew else {
                return .refused(Rejection(id: claimed, line: number, code: .clockAhead,
                                          reason: "the event's clock is \(ahead / 1000) s ahead of the server's (at most \(maximumSkew / 1000) s allowed); correct the site's clock"))
            }
            // The signature is checked here, in parallel; whether its key is approved is for the repository.
            switch event.signatureStatus {
            case .unsigned(let reason):
                return .refused(Rejection(id: claimed, line: number, code: .unsigned, reason: reason))
            case .invalid(let reason):
                return .refused(Rejection(id: claimed, line: number, code: .signatureInvalid, reason: reason))
            case .notRequired, .valid:
                return .valid(event)
            }
        }
    }
}
