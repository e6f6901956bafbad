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
    /// Replaces the key with a new one (the old one lost or exposed). Entries already signed keep their
    /// signatures: each names the key that made it.
    func rotate() throws(StoreError)
}

extension SigningKeyStore {
    /// A key store that cannot replace its key says so.
    public func rotate() throws(StoreError) {
        throw StoreError(.invalid, "This store's signing key cannot be replaced here.")
    }

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

    /// A new key file in place of the old, which is kept beside it as `clinician.key.retired-<fingerprint>` (mode
    /// 0600). The new key is written whole before it replaces the old, so an interruption leaves one or the other.
    public func rotate() throws(StoreError) {
        let old = try ClinicianKey.load(from: directory)
        let current = directory.appendingPathComponent(ClinicianKey.fileName)
        let retired = directory.appendingPathComponent("\(ClinicianKey.fileName).retired-\(old.fingerprint.prefix(16))")
        if !FileManager.default.fileExists(atPath: retired.path), link(current.path, retired.path) != 0 {
            throw StoreError(.io, "Cannot keep the old key as \(retired.path): \(String(cString: strerror(errno))).")
        }
        let fresh = directory.appendingPathComponent(ClinicianKey.fileName + ".new")
        try? FileManager.default.removeItem(at: fresh)
        do { _ = try ClinicianKey.create(at: fresh) } catch let error as StoreError { throw error } catch {
            throw StoreError(.io, "Cannot write the new key: \(error)")
        }
        guard rename(fresh.path, current.path) == 0 else {
            throw StoreError(.io, "Cannot put the new key in place: \(String(cString: strerror(errno))).")
        }
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
