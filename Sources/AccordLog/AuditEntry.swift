import AccordCore
import Foundation

/// One entry of the server's audit log. Its canonical bytes (JSON, sorted keys, absent fields left out) are what
/// the Merkle tree hashes, and they carry their own position, so a row moved to another place no longer fits.
public struct AuditEntry: Codable, Sendable, Equatable {
    /// What an audit entry records.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case eventAccepted = "event.accepted"
        case eventRefused = "event.refused"
        case recordRead = "record.read"
        case siteEnrolled = "site.enrolled"
        case siteRevoked = "site.revoked"
        case keyRegistered = "key.registered"
        case keyApproved = "key.approved"
        case keyRevoked = "key.revoked"
        /// A pending registration withdrawn by the administrator (registered by mistake, e.g. at the wrong site).
        case keyRejected = "key.rejected"
        case credentialRefused = "credential.refused"
        case auditorAdded = "auditor.added"
        case auditorRevoked = "auditor.revoked"
        case auditViewed = "audit.viewed"
        /// A site accepted the server's log after a failed check (a restore from backup) and pinned it anew.
        case logRepinned = "log.repinned"
        /// A witness was named to cosign the log's checkpoints.
        case witnessAdded = "witness.added"
    }

    /// The entry's 1-based position in the log.
    public var position: Int
    /// What it records.
    public var kind: Kind
    /// When, as an ISO 8601 UTC time.
    public var at: String
    /// The site that acted (or that an administrative action concerned).
    public var site: String?
    /// The patient concerned, if any.
    public var patient: String?
    /// The event's id, for accepted and refused events.
    public var event: String?
    /// The type of the event concerned, if any.
    public var eventType: String?
    /// SHA-256 of the event's bytes is its id; the signature (base64) and the signing key's fingerprint are kept here
    /// too, so a signature swapped in the events table no longer matches the log.
    public var signature: String?
    /// The signing key's fingerprint, if any.
    public var key: String?
    /// Who acted when it is not a site: `admin`, or an auditor's name.
    public var actor: String?
    /// Where the request came from.
    public var remoteAddress: String?
    /// ok, not-found, or the refusal code.
    public var outcome: String?
    /// What happened, in words.
    public var detail: String?

    /// An entry.
    public init(position: Int, kind: Kind, at: String, site: String? = nil, patient: String? = nil, event: String? = nil,
                eventType: String? = nil, signature: String? = nil, key: String? = nil, actor: String? = nil,
                remoteAddress: String? = nil, outcome: String? = nil, detail: String? = nil) {
        self.position = position; self.kind = kind; self.at = at; self.site = site; self.patient = patient
        self.event = event; self.eventType = eventType; self.signature = signature; self.key = key; self.actor = actor
        self.remoteAddress = remoteAddress; self.outcome = outcome; self.detail = detail
    }

    /// The exact bytes hashed into the log.
    public func canonicalBytes() throws -> Data {
        var writer = FlatJSONWriter()
        writer.add("position", position)
        writer.add("kind", kind.rawValue)
        writer.add("at", at)
        writer.add("site", site)
        writer.add("patient", patient)
        writer.add("event", event)
        writer.add("eventType", eventType)
        writer.add("signature", signature)
        writer.add("key", key)
        writer.add("actor", actor)
        writer.add("remoteAddress", remoteAddress)
        writer.add("outcome", outcome)
        writer.add("detail", detail)
        return writer.bytes
    }

    /// The entry stored as `bytes`.
    public static func decode(_ bytes: Data) throws -> AuditEntry { try JSONDecoder().decode(AuditEntry.self, from: bytes) }
}
