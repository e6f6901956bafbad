import AccordLog
import Foundation

/// What a site sends to register a clinician's public key (`POST /v1/keys`).
public struct KeyRegistration: Codable, Sendable, Equatable {
    /// The raw Ed25519 public key, base64.
    public var publicKey: String
    /// The clinician the key signs for.
    public var clinicianId: String
    /// The clinician's printed name.
    public var clinicianName: String

    /// A registration of `publicKey` (base64 Ed25519) for the clinician.
    public init(publicKey: String, clinicianId: String, clinicianName: String) {
        self.publicKey = publicKey; self.clinicianId = clinicianId; self.clinicianName = clinicianName
    }
}

/// A registered key as the server and `accord-server key list --json` show it.
public struct KeyInfo: Codable, Sendable, Equatable {
    /// Where a key stands: waiting for the administrator, approved to sign, or revoked.
    public enum Status: String, Codable, Sendable { case pending, approved, revoked }

    /// The SHA-256 of the raw public key, in hex.
    public var fingerprint: String
    /// The site that registered the key.
    public var site: String
    /// The clinician the key signs for.
    public var clinicianId: String
    /// The clinician's printed name.
    public var clinicianName: String
    /// Where the key stands.
    public var status: Status
    /// When it was registered, as an ISO 8601 UTC time.
    public var registeredAt: String
    /// When it was approved or revoked.
    public var decidedAt: String?

    /// A key's entry in the registry.
    public init(fingerprint: String, site: String, clinicianId: String, clinicianName: String, status: Status,
                registeredAt: String, decidedAt: String?) {
        self.fingerprint = fingerprint; self.site = site; self.clinicianId = clinicianId; self.clinicianName = clinicianName
        self.status = status; self.registeredAt = registeredAt; self.decidedAt = decidedAt
    }
}

extension SyncWire {
    /// Which site the credential belongs to (GET): `{"site": name}`.
    public static let sitePath = "/v1/site"
    /// Registers the clinician's public key (POST).
    public static let keysPath = "/v1/keys"
    /// The audit log's latest signed checkpoint (GET).
    public static let checkpointPath = "/v1/log/checkpoint"
    /// An event's inclusion proof (GET).
    public static let inclusionPath = "/v1/log/inclusion"
    /// A consistency proof between two log sizes (GET).
    public static let consistencyPath = "/v1/log/consistency"
    /// A site's notice that it pinned the server's log anew after a failed check (POST); written to the log.
    public static let repinPath = "/v1/log/repin"
}

/// What a site tells the server when it pins the server's log anew (`accord remote repin`): the checkpoint it had
/// verified, the one it now accepts, which store and clinician did it. The server writes it to the audit log.
public struct RepinNotice: Codable, Sendable, Equatable {
    /// The checkpoint the site verified last (absent when it had none).
    public var from: Checkpoint?
    /// The checkpoint the site accepts now.
    public var to: Checkpoint
    /// The store that re-pinned.
    public var store: String
    /// The clinician who did it.
    public var clinician: String

    /// A notice with these fields.
    public init(from: Checkpoint?, to: Checkpoint, store: String, clinician: String) {
        self.from = from; self.to = to; self.store = store; self.clinician = clinician
    }
}
