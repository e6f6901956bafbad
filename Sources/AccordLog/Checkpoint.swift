import Crypto
import Foundation

/// A signed statement by the server of its audit log's size and root hash at a moment. A site keeps the last one it
/// verified and asks for a consistency proof on every sync, so a log that was rewritten or rolled back is caught.
public struct Checkpoint: Codable, Sendable, Equatable {
    /// How many entries the log held.
    public var size: Int
    /// The root hash, hex.
    public var root: String
    /// When it was signed, as an ISO 8601 UTC time.
    public var at: String
    /// The server's Ed25519 signature over `signedText`, base64.
    public var signature: String
    /// The server's public key, base64, so a reader can check which key signed.
    public var key: String
    /// The same checkpoint as a C2SP signed note (`CheckpointNote`), signed by the same key under the log's origin.
    /// Servers since the open formats send it; a site that pinned one accepts no checkpoint without it.
    public var note: String?

    /// A checkpoint as received.
    public init(size: Int, root: String, at: String, signature: String, key: String, note: String? = nil) {
        self.size = size; self.root = root; self.at = at; self.signature = signature; self.key = key; self.note = note
    }

    /// Whether `note` is a signed note of this very checkpoint by the same key under the log's origin.
    public var noteMatches: Bool {
        guard let note, let publicKey = Data(base64Encoded: key),
              let stated = try? CheckpointNote.open(note, verifier: NoteKey.forLog(publicKey: publicKey)) else { return false }
        return stated.size == size && stated.root == rootHash
    }

    /// The exact text the server signs: a fixed label, so a checkpoint signature can never pass for anything else.
    public static func signedText(size: Int, root: String, at: String) -> Data {
        Data("accord-audit-log-checkpoint/v1\n\(size)\n\(root)\n\(at)\n".utf8)
    }

    /// A checkpoint of `size` entries with `root`, signed with the server's key.
    public static func sign(size: Int, root: Data, at: String, with key: Curve25519.Signing.PrivateKey) throws -> Checkpoint {
        let signature = try key.signature(for: signedText(size: size, root: root.hexString, at: at))
        return Checkpoint(size: size, root: root.hexString, at: at, signature: Data(signature).base64EncodedString(),
                          key: key.publicKey.rawRepresentation.base64EncodedString())
    }

    /// True when the signature verifies with `publicKey` (raw 32 bytes) and the checkpoint names that key.
    public func verifies(with publicKey: Data) -> Bool {
        guard Data(base64Encoded: key) == publicKey,
              let signatureBytes = Data(base64Encoded: signature),
              let verifier = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return false }
        return verifier.isValidSignature(signatureBytes, for: Self.signedText(size: size, root: root, at: at))
    }

    /// The root hash as bytes.
    public var rootHash: Data? { Data(hexString: root) }
}

/// The answer to an inclusion request: where the entry sits, the entry's bytes, and the audit path to a checkpoint.
public struct InclusionProof: Codable, Sendable, Equatable {
    /// The entry's 1-based position in the log.
    public var position: Int
    /// The log size the proof is against.
    public var size: Int
    /// The log entry's exact bytes, base64; its leaf hash is `MerkleHash.leaf` of them.
    public var entry: String
    /// Sibling hashes from the leaf up, base64 (20 of them at a million entries: 940 bytes of JSON).
    public var proof: [String]

    /// An inclusion proof.
    public init(position: Int, size: Int, entry: String, proof: [String]) {
        self.position = position; self.size = size; self.entry = entry; self.proof = proof
    }

    /// Whether the proof leads from the entry to the checkpoint's root.
    public func verifies(against checkpoint: Checkpoint) -> Bool {
        guard checkpoint.size == size, let root = checkpoint.rootHash, let bytes = Data(base64Encoded: entry) else { return false }
        let hashes = proof.compactMap { Data(base64Encoded: $0) }
        guard hashes.count == proof.count else { return false }
        return MerkleVerifier.verifyInclusion(leaf: MerkleHash.leaf(bytes), index: position, size: size, proof: hashes, root: root)
    }
}

/// The proof that the log of `from` entries is a prefix of the log of `to` entries (RFC 6962).
public struct ConsistencyProof: Codable, Sendable, Equatable {
    /// The older, smaller size.
    public var from: Int
    /// The newer size.
    public var to: Int
    /// The proof's hashes, base64.
    public var proof: [String]

    /// A consistency proof.
    public init(from: Int, to: Int, proof: [String]) { self.from = from; self.to = to; self.proof = proof }

    /// Whether `old`'s log is a prefix of `new`'s.
    public func verifies(old: Checkpoint, new: Checkpoint) -> Bool {
        guard old.size == from, new.size == to, let oldRoot = old.rootHash, let newRoot = new.rootHash else { return false }
        let hashes = proof.compactMap { Data(base64Encoded: $0) }
        guard hashes.count == proof.count else { return false }
        return MerkleVerifier.verifyConsistency(oldSize: from, oldRoot: oldRoot, newSize: to, newRoot: newRoot, proof: hashes)
    }
}
