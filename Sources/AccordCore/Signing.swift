import Crypto
import Foundation

/// What a signature on an event means (21 CFR 11.50): who stands behind the entry and in what role.
public enum SignatureMeaning: String, Codable, Sendable, CaseIterable {
    /// The clinician who wrote the entry.
    case author
    /// A clinician who saw the conversation and attests to it.
    case witness
    /// The clinician attests that the patient acknowledged the entry in the way `patientAgreed` names.
    case patientAcknowledgement = "patient-acknowledgement"
}

/// The signing block inside an event's bytes: the signer's public key, what the signature means and how the patient
/// agreed. Being part of the bytes, all of it is covered by the signature, with the signer's printed name
/// (`author.name`) and the time. The signature itself travels beside the bytes (`Event.signature`).
public struct Signing: Codable, Sendable, Hashable {
    /// The signer's raw Ed25519 public key, base64.
    public var key: String
    /// What the clinician's signature means.
    public var meaning: SignatureMeaning
    /// How the patient agreed: in person on the clinic's device, verbally, or on paper that was scanned.
    public var patientAgreed: AgreementMethod?

    /// A signing block for `key` (base64 Ed25519).
    public init(key: String, meaning: SignatureMeaning, patientAgreed: AgreementMethod?) {
        self.key = key; self.meaning = meaning; self.patientAgreed = patientAgreed
    }

    /// The SHA-256 of the raw public key, hex: how administrators and auditors name a key.
    public var fingerprint: String? {
        guard let raw = Data(base64Encoded: key), raw.count == 32 else { return nil }
        return Self.fingerprint(ofPublicKey: raw)
    }

    /// The one way a key's fingerprint is made, at the site, on the server and in the audit log.
    public static func fingerprint(ofPublicKey raw: Data) -> String { HexEncoding.encode(SHA256.hash(data: raw)) }
}

/// Whether an event's signature holds.
public enum SignatureStatus: Sendable, Equatable {
    /// The event type is not signed.
    case notRequired
    /// A type that must be signed came without a signing block or without a signature.
    case unsigned(String)
    /// The signature verifies over the exact bytes with the key named in them.
    case valid(fingerprint: String)
    case invalid(String)

    /// True when the server may accept the entry: validly signed, or of a kind that is not signed.
    public var isAcceptable: Bool {
        switch self {
        case .notRequired, .valid: true
        case .unsigned, .invalid: false
        }
    }

    /// True when the signature verifies.
    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }
}

extension EventType {
    /// Consents, treatment agreements, taper plan changes and conflict resolutions (which decide an agreement's or
    /// a plan's outcome) are signed by the clinician who records them.
    public var requiresSignature: Bool {
        switch self {
        case .consentRecorded, .agreementSigned, .agreementAmended, .agreementRenewed, .agreementEnded,
             .taperStarted, .taperAdjusted, .taperPaused, .taperResumed, .taperCompleted, .conflictResolved: true
        default: false
        }
    }
}

extension EventPayload {
    /// How the patient agreed, where the entry itself records it (treatment agreements).
    public var agreementMethod: AgreementMethod? {
        switch self {
        case .agreementSigned(let p): p.method
        case .agreementAmended(let p): p.method
        case .agreementRenewed(let p): p.method
        default: nil
        }
    }
}

extension Event {
    /// Encodes `envelope` (whose `signing` names `key`'s public key) and signs the exact bytes.
    public static func signed(_ envelope: EventEnvelope, with key: Curve25519.Signing.PrivateKey) throws -> Event {
        try signed(envelope, by: { bytes in Data(try key.signature(for: bytes)) })
    }

    /// The event signed by whatever holds the key (a key store that never hands the private key out).
    public static func signed(_ envelope: EventEnvelope, by sign: (Data) throws -> Data) throws -> Event {
        let unsigned = try Event(envelope)
        return try Event(bytes: unsigned.bytes, expectedID: unsigned.id, signature: try sign(unsigned.bytes))
    }

    /// Checks the signature against the key named inside the signed bytes. Whether that key is trusted (approved
    /// for the site and clinician) is for the server's key registry to say.
    public var signatureStatus: SignatureStatus {
        guard let signing = envelope.signing else {
            if signature != nil { return .invalid("a signature came with an event that names no signing key") }
            return envelope.type.requiresSignature ? .unsigned("a \(envelope.type.rawValue) entry must be signed by the clinician who records it") : .notRequired
        }
        guard let signature else { return .unsigned("the entry names a signing key but carries no signature") }
        guard let raw = Data(base64Encoded: signing.key), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw),
              let fingerprint = signing.fingerprint else {
            return .invalid("the signing key in the entry is not an Ed25519 public key")
        }
        guard key.isValidSignature(signature, for: bytes) else {
            return .invalid("the signature does not verify over this entry's bytes with key \(fingerprint.prefix(16)): the entry was changed after signing, or the signature belongs to another entry")
        }
        return .valid(fingerprint: fingerprint)
    }
}
