import AccordCore
import AccordLog
import Crypto
import Foundation

/// The server's own Ed25519 key, which signs the audit log's checkpoints. It lives in a file of its own (mode 0600),
/// apart from the database, so someone who can write the database cannot also re-sign a rewritten log.
public struct ServerSigningKey: Sendable {
    private let raw: Data
    // The bytes were checked when the key was made or loaded.
    public var privateKey: Curve25519.Signing.PrivateKey { try! Curve25519.Signing.PrivateKey(rawRepresentation: raw) }
    public var publicKey: Data { privateKey.publicKey.rawRepresentation }

    init(privateKey: Curve25519.Signing.PrivateKey) { raw = privateKey.rawRepresentation }

    /// The default place: beside the database, `<database>.signing-key`.
    public static func defaultPath(forDatabase database: String) -> String { database + ".signing-key" }

    /// The key for a database whose log ends at `latest`: created on first use only while the log has no signed
    /// checkpoint; after that the file must exist and be the key that signed the log (a command that quietly made a
    /// new key would sign the rest of the log with a key no site trusts).
    public static func forLog(at path: String, signedLog latest: Checkpoint?) throws -> ServerSigningKey {
        guard let latest else { return try loadOrCreate(at: path) }
        let fingerprint = Data(base64Encoded: latest.key).map { HexEncoding.encode(SHA256.hash(data: $0)).prefix(16) } ?? "?"
        guard FileManager.default.fileExists(atPath: path) else {
            throw ServerError("The server signing key \(path) is missing; this database's audit log is signed with key \(fingerprint). Give that key's file with --signing-key (or \(ServerStorage.signingKeyVariable)).")
        }
        let key = try loadOrCreate(at: path)
        guard Data(base64Encoded: latest.key) == key.publicKey else {
            throw ServerError("The signing key \(path) is not the key that signed this database's audit log (\(fingerprint)); give every command and instance that key's file with --signing-key.")
        }
        return key
    }

    /// Loads the key at `path`, creating it on first use. Instances starting together on a shared key file agree on
    /// one key: a new key is written to a private file and linked into place, and whoever loses the race reads the
    /// winner's.
    public static func loadOrCreate(at path: String) throws -> ServerSigningKey {
        if let data = FileManager.default.contents(atPath: path) {
            guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: data) else {
                throw ServerError("The server signing key \(path) is damaged; restore it from a backup. Without it, checkpoints cannot be signed or verified.")
            }
            return ServerSigningKey(privateKey: key)
        }
        let key = Curve25519.Signing.PrivateKey()
        let draft = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).new"
        let descriptor = open(draft, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw ServerError("Cannot create the server signing key at \(path): \(String(cString: strerror(errno))). Check that its folder is writable.")
        }
        defer { unlink(draft) }
        let raw = key.rawRepresentation
        let written = raw.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == raw.count, synced else { throw ServerError("Cannot write the server signing key at \(path).") }
        guard link(draft, path) == 0 else {
            if errno == EEXIST { return try loadOrCreate(at: path) }
            throw ServerError("Cannot create the server signing key at \(path): \(String(cString: strerror(errno))).")
        }
        return ServerSigningKey(privateKey: key)
    }
}
