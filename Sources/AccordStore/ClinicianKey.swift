import AccordCore
import Crypto
import Foundation

/// The clinician's Ed25519 signing key, kept beside the store in a file only its owner can read (mode 0600). The
/// private key stays inside this module; others see the public key and signatures (`FileSigningKeyStore`).
public struct ClinicianKey: Sendable {
    /// The key file's name inside the store folder.
    public static let fileName = "clinician.key"
    private let rawKey: Data

    var privateKey: Curve25519.Signing.PrivateKey {
        // The bytes were checked when the key was made or loaded.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: rawKey)
    }

    init(privateKey: Curve25519.Signing.PrivateKey) { self.rawKey = privateKey.rawRepresentation }

    /// The public half, as registered with the sync server.
    public var publicKey: Curve25519.Signing.PublicKey { privateKey.publicKey }

    func signature(for bytes: Data) throws -> Data { Data(try privateKey.signature(for: bytes)) }

    /// The SHA-256 of the raw public key in hex, as administrators see it when approving keys.
    public var fingerprint: String {
        Signing.fingerprint(ofPublicKey: publicKey.rawRepresentation)
    }

    /// Creates a new key file; refuses to overwrite one.
    static func create(in directory: URL) throws -> ClinicianKey {
        try create(at: directory.appendingPathComponent(fileName))
    }

    /// Creates a new key file at `url`; refuses to overwrite one.
    static func create(at url: URL) throws -> ClinicianKey {
        let key = Curve25519.Signing.PrivateKey()
        try SecureFile.writeNew(key.rawRepresentation, to: url)
        return ClinicianKey(privateKey: key)
    }

    /// Reads the key file in `directory`; a missing or damaged file is an error that says so.
    public static func load(from directory: URL) throws(StoreError) -> ClinicianKey {
        let url = directory.appendingPathComponent(fileName)
        guard let data = try? Data(contentsOf: url) else {
            throw StoreError(.notFound, "The clinician's signing key \(url.path) cannot be read; restore it from a backup (it is made when the store is created).")
        }
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: data) else {
            throw StoreError(.damaged, "The clinician's signing key \(url.path) is damaged; restore it from a backup.")
        }
        return ClinicianKey(privateKey: key)
    }
}

/// Writes secrets so that no other user can read them, not even for a moment.
enum SecureFile {
    static func writeNew(_ data: Data, to url: URL) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw StoreError(.io, "Cannot create \(url.path): \(String(cString: strerror(errno))).") }
        defer { close(descriptor) }
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == data.count, fsync(descriptor) == 0 else {
            throw StoreError(.io, "Cannot write \(url.path): \(String(cString: strerror(errno))).")
        }
    }
}
