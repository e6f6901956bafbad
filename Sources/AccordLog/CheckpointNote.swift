import Crypto
import Foundation

/// The audit log's checkpoint as a C2SP signed note (c2sp.org/tlog-checkpoint over c2sp.org/signed-note): the
/// origin line, the size, the base64 root hash, a blank line, and one signature line per signer. Any tool that reads
/// signed notes (Go's golang.org/x/mod/sumdb/note, for one) checks it with the log's verifier key, and witnesses add
/// their cosignature lines to the same note.
public struct CheckpointNote: Sendable, Equatable {
    /// The log's name: a schema-less URL-like string, unique to this log.
    public var origin: String
    /// How many entries the log held.
    public var size: Int
    /// The root hash (32 bytes).
    public var root: Data

    /// A checkpoint body.
    public init(origin: String, size: Int, root: Data) { self.origin = origin; self.size = size; self.root = root }

    /// The signed text: origin, size and base64 root, each ending in a newline.
    public var body: String { "\(origin)\n\(size)\n\(root.base64EncodedString())\n" }

    /// The note signed by `key` under `name` (by convention the origin). Ed25519 signatures are deterministic, so
    /// the same checkpoint always gives the same note.
    public func signed(name: String, key: Curve25519.Signing.PrivateKey) throws -> String {
        let signature = try key.signature(for: Data(body.utf8))
        let line = NoteSignature(name: name, keyID: NoteKey.keyID(name: name, publicKey: key.publicKey.rawRepresentation), signature: Data(signature))
        return body + "\n" + line.line
    }

    /// Reads a signed note: its body as a checkpoint, and its signature lines, unverified.
    public static func parse(_ note: String) throws(NoteError) -> (checkpoint: CheckpointNote, body: String, signatures: [NoteSignature]) {
        guard let split = note.range(of: "\n\n") else { throw NoteError("the note has no blank line between its text and its signatures") }
        let body = String(note[..<split.lowerBound]) + "\n"
        let lines = body.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else { throw NoteError("a checkpoint has an origin, a size and a root hash, one per line") }
        guard !lines[0].isEmpty, let size = Int(lines[1]), size >= 0, String(size) == lines[1] else {
            throw NoteError("the checkpoint's second line must be its size, a decimal number")
        }
        guard let root = Data(base64Encoded: lines[2]), root.count == MerkleHash.size else {
            throw NoteError("the checkpoint's third line must be a base64 SHA-256 root hash")
        }
        let signatureText = note[split.upperBound...]
        guard signatureText.hasSuffix("\n") else { throw NoteError("the note must end with a newline") }
        let signatures = try signatureText.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map { line throws(NoteError) in
            try NoteSignature(parsing: String(line))
        }
        guard !signatures.isEmpty else { throw NoteError("the note carries no signature") }
        return (CheckpointNote(origin: lines[0], size: size, root: root), body, signatures)
    }

    /// Reads a note and checks it carries a valid signature by `verifier`; returns the checkpoint it states.
    public static func open(_ note: String, verifier: NoteKey) throws(NoteError) -> CheckpointNote {
        let (checkpoint, body, signatures) = try parse(note)
        guard signatures.contains(where: { verifier.verifies($0, body: body) }) else {
            throw NoteError("no signature on the note verifies with the key \(verifier.name)+\(verifier.keyIDHex)")
        }
        guard checkpoint.origin == verifier.name else {
            throw NoteError("the note's origin '\(checkpoint.origin)' is not the log the key '\(verifier.name)' names")
        }
        return checkpoint
    }
}

/// One signature line of a signed note: `— NAME BASE64(key ID || signature)`.
public struct NoteSignature: Sendable, Equatable {
    /// The signer's name.
    public var name: String
    /// The first 4 bytes of the key's hash (see `NoteKey.keyID`).
    public var keyID: Data
    /// The signature bytes.
    public var signature: Data

    /// A signature line's parts.
    public init(name: String, keyID: Data, signature: Data) { self.name = name; self.keyID = keyID; self.signature = signature }

    /// The line, with its newline.
    public var line: String { "\u{2014} \(name) \((keyID + signature).base64EncodedString())\n" }

    /// Reads `— NAME BASE64`.
    public init(parsing line: String) throws(NoteError) {
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "\u{2014}", !parts[1].isEmpty, let bytes = Data(base64Encoded: String(parts[2])), bytes.count > 4 else {
            throw NoteError("'\(line.prefix(80))' is not a signature line (an em dash, the signer's name and a base64 signature)")
        }
        name = String(parts[1]); keyID = bytes.prefix(4); signature = bytes.dropFirst(4)
    }
}

/// An Ed25519 note verifier key: a name and a public key, written `NAME+KEYID+BASE64(0x01 || KEY)` as Go's
/// sumdb/note and C2SP signed-note define it.
public struct NoteKey: Sendable, Equatable {
    /// The signature type byte for Ed25519.
    static let ed25519: UInt8 = 0x01

    /// The key's name (the log's origin).
    public var name: String
    /// The raw 32-byte Ed25519 public key.
    public var publicKey: Data

    /// A verifier for `publicKey` under `name`.
    public init(name: String, publicKey: Data) { self.name = name; self.publicKey = publicKey }

    /// An Accord log's verifier: its origin is derived from its signing key, so it holds for as long as the key.
    public static func forLog(publicKey: Data) -> NoteKey { NoteKey(name: origin(forLogKey: publicKey), publicKey: publicKey) }

    /// The origin of the log signed by `publicKey`.
    public static func origin(forLogKey publicKey: Data) -> String {
        "accord.invalid/audit-log/" + Data(SHA256.hash(data: publicKey)).prefix(8).hexString
    }

    /// The key ID: the first 4 bytes of SHA-256(name || "\n" || 0x01 || public key).
    public static func keyID(name: String, publicKey: Data) -> Data {
        Data(SHA256.hash(data: Data(name.utf8) + Data([0x0A, ed25519]) + publicKey).prefix(4))
    }

    /// The key ID as 8 hex digits.
    public var keyIDHex: String { Self.keyID(name: name, publicKey: publicKey).hexString }

    /// The verifier key string.
    public var encoded: String { "\(name)+\(keyIDHex)+\((Data([Self.ed25519]) + publicKey).base64EncodedString())" }

    /// Reads a verifier key string; checks its type, length and key ID.
    public init(encoded: String) throws(NoteError) {
        let parts = encoded.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, let bytes = Data(base64Encoded: String(parts[2])), bytes.count == 33, bytes.first == Self.ed25519 else {
            throw NoteError("'\(encoded.prefix(80))' is not an Ed25519 verifier key (NAME+KEYID+BASE64)")
        }
        name = String(parts[0]); publicKey = bytes.dropFirst()
        guard parts[1] == Substring(keyIDHex) else { throw NoteError("the verifier key's id \(parts[1]) does not match its name and key") }
    }

    /// Whether `signature` is this key's over `body`.
    public func verifies(_ signature: NoteSignature, body: String) -> Bool {
        guard signature.name == name, signature.keyID == Self.keyID(name: name, publicKey: publicKey),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return key.isValidSignature(signature.signature, for: Data(body.utf8))
    }
}

/// Why a signed note or a verifier key could not be read or did not verify.
public struct NoteError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong.
    public let description: String
    init(_ description: String) { self.description = description }
}
