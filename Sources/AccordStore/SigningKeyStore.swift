import AccordCore
import Crypto
import Foundation

/// Where the clinician's Ed25519 signing key lives. The private key never leaves it: callers get the public key
/// and signatures. The CLI keeps it in a file beside the store; an app supplies one over its Keychain.
public protocol SigningKeyStore: Sendable {
    /// The clinician's public key, as registered with the sync server.
    func publicKey() throws(StoreError) -> Curve25519.Signing.PublicKey
    /// An Ed25519 signature over `bytes`.
    func signature(for bytes: Data) throws(StoreError) -> Data
}

extension SigningKeyStore {
    /// The SHA-256 of the raw public key in hex, as administrators see it when approving keys.
    public func fingerprint() throws(StoreError) -> String {
        Signing.fingerprint(ofPublicKey: try publicKey().rawRepresentation)
    }
}

/// The key in `clinician.key` beside a store folder, readable only by its owner (mode 0600).
public struct FileSigningKeyStore: SigningKeyStore {
    /// The store folder that holds `clinician.key`.
    public let directory: URL

    /// The key beside the store in `directory`.
    public init(directory: URL) { self.directory = directory }

    /// The public key, read from the file.
    public func publicKey() throws(StoreError) -> Curve25519.Signing.PublicKey {
        try ClinicianKey.load(from: directory).publicKey
    }

    /// A signature over `bytes`, made with the key in the file.
    public func signature(for bytes: Data) throws(StoreError) -> Data {
        let key = try ClinicianKey.load(from: directory)
        do { return Data(try key.signature(for: bytes)) } catch {
            throw StoreError(.io, "The clinician's key could not sign: \(error)")
        }
    }
}

/// A key held in memory for tests and previews; it is gone when the process ends.
public struct MemorySigningKeyStore: SigningKeyStore {
    private let raw: Data

    /// A new random key.
    public init() { raw = Curve25519.Signing.PrivateKey().rawRepresentation }

    /// The public key of the key held in memory.
    public func publicKey() throws(StoreError) -> Curve25519.Signing.PublicKey {
        // The bytes were made by this type.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: raw).publicKey
    }

    /// A signature over `bytes`, made with the key held in memory.
    public func signature(for bytes: Data) throws(StoreError) -> Data {
        do { return Data(try Curve25519.Signing.PrivateKey(rawRepresentation: raw).signature(for: bytes)) } catch {
            throw StoreError(.io, "The key could not sign: \(error)")
        }
    }
}
