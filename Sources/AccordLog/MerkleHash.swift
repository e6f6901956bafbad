import AccordCore
import Crypto
import Foundation

/// Hashing of the audit log as RFC 6962 / RFC 9162 define it for Merkle tree logs: a leaf is SHA-256(0x00 || entry)
/// and an interior node SHA-256(0x01 || left || right), so a leaf can never pass for a node.
public enum MerkleHash {
    /// Bytes in a hash (SHA-256).
    public static let size = 32

    /// The hash of a leaf: SHA-256 of 0x00 and the entry (RFC 6962).
    public static func leaf(_ entry: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: entry)
        return Data(hasher.finalize())
    }

    /// The hash of an inner node: SHA-256 of 0x01, left and right (RFC 6962).
    public static func node(_ left: Data, _ right: Data) -> Data {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left)
        hasher.update(data: right)
        return Data(hasher.finalize())
    }

    /// The root of an empty tree: the hash of nothing.
    public static let empty = Data(SHA256.hash(data: Data()))

    /// The largest power of two smaller than `n` (n > 1): where RFC 6962 splits a tree of n leaves.
    static func split(_ n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }

    /// The root over `leaves` (leaf hashes), computed bottom-up in one pass: for rebuilding a whole log.
    public static func root(ofLeaves leaves: [Data]) -> Data {
        guard !leaves.isEmpty else { return empty }
        // A stack of (height, hash) of complete subtrees, merged as they pair up; the ragged right edge at the end.
        var stack: [(height: Int, hash: Data)] = []
        stack.reserveCapacity(64)
        for leaf in leaves {
            var current = (height: 0, hash: leaf)
            while let top = stack.last, top.height == current.height {
                stack.removeLast()
                current = (current.height + 1, node(top.hash, current.hash))
            }
            stack.append(current)
        }
        var hash = stack.removeLast().hash
        while let top = stack.popLast() { hash = node(top.hash, hash) }
        return hash
    }
}

extension Data {
    /// The bytes as lowercase hex.
    public var hexString: String { HexEncoding.encode(self) }

    /// Bytes from hex; nil for text that is not hex.
    public init?(hexString: String) {
        guard hexString.utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hexString.utf8.count / 2)
        var high: UInt8?
        for character in hexString.utf8 {
            let value: UInt8
            switch character {
            case 48...57: value = character - 48
            case 97...102: value = character - 87
            case 65...70: value = character - 55
            default: return nil
            }
            if let h = high { bytes.append(h << 4 | value); high = nil } else { high = value }
        }
        self.init(bytes)
    }
}
