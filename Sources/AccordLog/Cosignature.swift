import Crypto
import Foundation

/// A witness's key for timestamped cosignatures (C2SP tlog-cosignature, `cosignature/v1`): verifier keys are written
/// `NAME+KEYID+BASE64(0x04 || KEY)`, key id = the first 4 bytes of SHA-256(name || "\n" || 0x04 || key).
public struct WitnessKey: Sendable, Equatable {
    static let cosignatureV1: UInt8 = 0x04

    /// The witness's name.
    public var name: String
    /// The raw 32-byte Ed25519 public key.
    public var publicKey: Data

    /// A witness key.
    public init(name: String, publicKey: Data) { self.name = name; self.publicKey = publicKey }

    /// The key id.
    public var keyID: Data { Data(SHA256.hash(data: Data(name.utf8) + Data([0x0A, Self.cosignatureV1]) + publicKey).prefix(4)) }

    /// The verifier key string.
    public var encoded: String { "\(name)+\(keyID.hexString)+\((Data([Self.cosignatureV1]) + publicKey).base64EncodedString())" }

    /// Reads a verifier key string of type cosignature/v1.
    public init(encoded: String) throws(NoteError) {
        let parts = encoded.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "+", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, let bytes = Data(base64Encoded: String(parts[2])), bytes.count == 33,
              bytes.first == Self.cosignatureV1 else {
            throw NoteError("'\(encoded.prefix(80))' is not a witness's cosignature/v1 verifier key (NAME+KEYID+BASE64)")
        }
        name = String(parts[0]); publicKey = bytes.dropFirst()
        guard parts[1] == Substring(keyID.hexString) else { throw NoteError("the witness key's id \(parts[1]) does not match its name and key") }
    }

    /// What a cosignature signs: the label, the time in seconds since the epoch, then the checkpoint's text.
    public static func message(body: String, time: UInt64) -> Data { Data("cosignature/v1\ntime \(time)\n\(body)".utf8) }

    /// This key's cosignature of the checkpoint `body` at `time`.
    public static func cosign(body: String, time: UInt64, name: String, key: Curve25519.Signing.PrivateKey) throws -> NoteSignature {
        let witness = WitnessKey(name: name, publicKey: key.publicKey.rawRepresentation)
        var stamp = Data(count: 8)
        for byte in 0..<8 { stamp[byte] = UInt8((time >> (8 * (7 - UInt64(byte)))) & 0xFF) }
        let signature = try key.signature(for: message(body: body, time: time))
        return NoteSignature(name: name, keyID: witness.keyID, signature: stamp + Data(signature))
    }

    /// The time of `signature` when it is this witness's valid cosignature of `body`; nil otherwise.
    public func verifiedTime(_ signature: NoteSignature, body: String) -> UInt64? {
        guard signature.name == name, signature.keyID == keyID, signature.signature.count == 72,
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: publicKey) else { return nil }
        let time = signature.signature.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return key.isValidSignature(signature.signature.dropFirst(8), for: Self.message(body: body, time: time)) ? time : nil
    }
}

/// The body of a witness's `add-checkpoint` request (C2SP tlog-witness): `old SIZE`, the consistency proof from that
/// size, one base64 hash a line, a blank line, then the signed checkpoint note.
public struct AddCheckpointRequest: Sendable, Equatable {
    /// The size of the checkpoint the log believes the witness last cosigned (0 for none).
    public var oldSize: Int
    /// The consistency proof from `oldSize` to the note's size.
    public var proof: [Data]
    /// The signed checkpoint note.
    public var note: String

    /// A request.
    public init(oldSize: Int, proof: [Data], note: String) { self.oldSize = oldSize; self.proof = proof; self.note = note }

    /// The request body.
    public var body: String { "old \(oldSize)\n" + proof.map { $0.base64EncodedString() + "\n" }.joined() + "\n" + note }

    /// Reads a request body.
    public init(parsing text: String) throws(NoteError) {
        guard let split = text.range(of: "\n\n") else { throw NoteError("the request has no blank line before the checkpoint") }
        let lines = text[..<split.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)
        guard let first = lines.first, first.hasPrefix("old "), let old = Int(first.dropFirst(4)), old >= 0, String(old) == first.dropFirst(4) else {
            throw NoteError("the request must start with 'old SIZE'")
        }
        var proof: [Data] = []
        for line in lines.dropFirst() {
            guard let hash = Data(base64Encoded: String(line)), hash.count == MerkleHash.size else {
                throw NoteError("each proof line must be a base64 SHA-256 hash")
            }
            proof.append(hash)
        }
        guard proof.count <= 63 else { throw NoteError("a consistency proof has at most 63 hashes") }
        oldSize = old; self.proof = proof; note = String(text[split.upperBound...])
    }
}
