import Foundation

/// Which subtree hashes a server keeps: those at heights 0, 4, 8, 12, … — every level of C2SP tiles (heights 0, 8,
/// 16, …) among them. Any other subtree hash is the fold of at most 8 kept hashes below it, so a push writes about
/// 1.07 node rows per entry instead of 2, while each hash of a proof (about 20 of them, several per sync) reads at
/// most 8 rows; keeping the tile levels alone would mean up to 128 rows and 127 hashes each.
public enum StoredNodes {
    /// The heights kept are the multiples of this.
    public static let heightStep = 4

    /// Whether subtree hashes at `height` are kept.
    public static func isKept(height: Int) -> Bool { height % heightStep == 0 }

    /// The kept hashes the subtree (height, index) is folded from: their height and indexes, left to right (just
    /// the subtree itself when its height is kept).
    public static func base(height: Int, index: Int) -> (height: Int, indexes: Range<Int>) {
        let baseHeight = height - height % heightStep
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
