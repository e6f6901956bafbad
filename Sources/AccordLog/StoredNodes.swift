import Foundation

/// Which subtree hashes a server keeps: those at heights 0, 8, 16, … — the levels of C2SP tiles (256 hashes a
/// tile). Every other subtree hash is the fold of at most 128 kept hashes below it, so a push writes one node row
/// per entry (plus one in 256) instead of two, and proofs stay exact.
public enum StoredNodes {
    /// The heights kept are the multiples of this.
    public static let levelHeight = 8

    /// Whether subtree hashes at `height` are kept.
    public static func isKept(height: Int) -> Bool { height % levelHeight == 0 }

    /// The kept hashes the subtree (height, index) is folded from: their height and indexes, left to right (just
    /// the subtree itself when its height is kept).
    public static func base(height: Int, index: Int) -> (height: Int, indexes: Range<Int>) {
        let baseHeight = height - height % levelHeight
        let width = 1 << (height - baseHeight)
        return (baseHeight, (index * width)..<((index + 1) * width))
    }

    /// The subtree hash over `hashes`, a power of two of adjacent complete subtrees of one height, left to right.
    public static func fold(_ hashes: [Data]) -> Data {
        precondition(!hashes.isEmpty && hashes.count & (hashes.count - 1) == 0, "a complete subtree has a power of two of children")
        var level = hashes
        while level.count > 1 {
            level = stride(from: 0, to: level.count, by: 2).map { MerkleHash.node(level[$0], level[$0 + 1]) }
        }
        return level[0]
    }
}
