import Foundation

/// What a site sends to register a clinician's public key (`POST /v1/keys`).
public struct KeyRegistration: Codable, Sendable, Equatable {
    /// The raw Ed25519 public key, base64.
    public var publicKey: String
    public var clinicianId: String
    public var clinicianName: String

    public init(publicKey: String, clinicianId: String, clinicianName: String) {
        self.publicKey = publicKey; self.clinicianId = clinicianId; self.clinicianName = clinicianName
    }
}

/// A registered key as the server and `accord-server key list --json` show it.
public struct KeyInfo: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case pending, approved, revoked }

    public var fingerprint: String
    public var site: String
    public var clinicianId: String
    public var clinicianName: String
    public var status: Status
    public var registeredAt: String
    public var decidedAt: String?

    public init(fingerprint: String, site: String, clinicianId: String, clinicianName: String, status: Status,
                registeredAt: String, decidedAt: String?) {
        self.fingerprint = fingerprint; self.site = site; self.clinicianId = clinicianId; self.clinicianName = clinicianName
        self.status = status; self.registeredAt = registeredAt; self.decidedAt = decidedAt
    }
}

extension SyncWire {
    public static let keysPath = "/v1/keys"
    public static let checkpointPath = "/v1/log/checkpoint"
    public static let inclusionPath = "/v1/log/inclusion"
    public static let consistencyPath = "/v1/log/consistency"
}
