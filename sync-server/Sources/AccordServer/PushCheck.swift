import AccordCore
import AccordSync
import Foundation

/// The checks every pushed line passes before it is stored, the same whatever the storage.
enum PushCheck {
    enum Outcome {
        case valid(Event)
        case refused(Rejection)
    }

    static func check(_ line: SyncWire.PushLine, line number: Int, site: String, now: Int64, maximumSkew: Int64) -> Outcome {
        switch line {
        case .malformed(let reason):
            return .refused(Rejection(id: nil, line: number, code: "malformed", reason: reason))
        case .event(let claimed, let bytes):
            guard let id = EventID(hex: claimed) else {
                return .refused(Rejection(id: nil, line: number, code: "malformed", reason: "'\(claimed.prefix(64))' is not an event id (64 lowercase hex digits)"))
            }
            let event: Event
            do {
                event = try Event(bytes: bytes, expectedID: id)
            } catch {
                if case .idMismatch = error {
                    return .refused(Rejection(id: claimed, line: number, code: "id-mismatch", reason: "the bytes do not hash to the event id; they were changed or damaged on the way"))
                }
                return .refused(Rejection(id: claimed, line: number, code: "invalid", reason: error.description))
            }
            guard event.envelope.site == site else {
                return .refused(Rejection(id: claimed, line: number, code: "wrong-site",
                                          reason: "the event was written at site '\(event.envelope.site)', but this credential belongs to '\(site)'"))
            }
            let ahead = event.envelope.hlc.wall - now
            guard ahead <= maximumSkew else {
                return .refused(Rejection(id: claimed, line: number, code: "clock-ahead",
                                          reason: "the event's clock is \(ahead / 1000) s ahead of the server's (at most \(maximumSkew / 1000) s allowed); correct the site's clock"))
            }
            return .valid(event)
        }
    }
}
