import Foundation

/// Inclusion and consistency proofs (RFC 6962 §2.1.1–2.1.2), computed from any source of subtree hashes: the
/// server reads stored nodes, a test or `audit verify` keeps them in memory. `subtree(start, size)` must return the
/// hash of leaves [start, start + size) whenever size is a power of two and start a multiple of it.
public struct MerkleProofs {
    let subtree: (Int, Int) throws -> Data

    /// Proofs over a tree whose subtree hashes `subtree(start, size)` gives.
    public init(subtree: @escaping (Int, Int) throws -> Data) { self.subtree = subtree }

    /// The hash of leaves [start, start + size), from aligned complete subtrees.
    public func hash(start: Int, size: Int) throws -> Data {
        if size == 0 { return MerkleHash.empty }
        if size & (size - 1) == 0 { return try subtree(start, size) }
        let k = MerkleHash.split(size)
        return MerkleHash.node(try hash(start: start, size: k), try hash(start: start + k, size: size - k))
    }

    /// The root hash of the first `size` leaves.
    public func root(size: Int) throws -> Data { try hash(start: 0, size: size) }

    /// The audit path of leaf `index` in the tree of the first `size` leaves.
    public func inclusion(index: Int, size: Int) throws -> [Data] {
        precondition(index >= 0 && index < size)
        return try path(index, start: 0, size: size)
    }

    private func path(_ index: Int, start: Int, size: Int) throws -> [Data] {
        guard size > 1 else { return [] }
        let k = MerkleHash.split(size)
        if index < k {
            return try path(index, start: start, size: k) + [hash(start: start + k, size: size - k)]
        }
        return try path(index - k, start: start + k, size: size - k) + [hash(start: start, size: k)]
    }

    /// The proof that the tree of `old` leaves is a prefix of the tree of `new` leaves.
    public func consistency(old: Int, new: Int) throws -> [Data] {
        precondition(old >= 0 && old <= new)
        guard old > 0, old < new else { return [] }
        return try subproof(old, start: 0, size: new, complete: true)
    }

    private func subproof(_ m: Int, start: Int, size: Int, complete: Bool) throws -> [Data] {
        if m == size { return complete ? [] : [try hash(start: start, size: size)] }
        let k = MerkleHash.split(size)
        if m <= k {
            return try subproof(m, start: start, size: k, complete: complete) + [hash(start: start + k, size: size - k)]
        }
        return try subproof(m - k, start: start + k, size: size - k, complete: false) + [hash(start: start, size: k)]
    }
}

/// Checks proofs against roots, as a site or an auditor does (RFC 9162 §2.1.3.2 and §2.1.4.2).
public enum MerkleVerifier {
    /// Whether `proof` leads from the leaf at `index` to `root` of a tree of `size` leaves.
    public static func verifyInclusion(leaf: Data, index: Int, size: Int, proof: [Data], root: Data) -> Bool {
        guard index >= 0, index < size else { return false }
        var fn = index, sn = size - 1
        var result = leaf
        for sibling in proof {
            guard sibling.count == MerkleHash.size, sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                result = MerkleHash.node(sibling, result)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                result = MerkleHash.node(result, sibling)
            }
            fn >>= 1; sn >>= 1
        }
        return sn == 0 && result == root
    }

    /// Whether `proof` shows the tree of `oldSize` leaves is a prefix of the tree of `newSize`.
    public static func verifyConsistency(oldSize: Int, oldRoot: Data, newSize: Int, newRoot: Data, proof: [Data]) -> Bool {
        guard oldSize >= 0, oldSize <= newSize else { return false }
        if oldSize == newSize { return proof.isEmpty && oldRoot == newRoot }
        if oldSize == 0 { return proof.isEmpty && oldRoot == MerkleHash.empty }
        guard !proof.isEmpty, proof.allSatisfy({ $0.count == MerkleHash.size }) else { return false }
        var path = proof
        // When the old size is a power of two, the old root itself starts the path.
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        var fn = oldSize - 1, sn = newSize - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0], sr = path[0]
        for c in path.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHash.node(c, fr)
                sr = MerkleHash.node(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                sr = MerkleHash.node(sr, c)
            }
            fn >>= 1; sn >>= 1
        }
        return fr == oldRoot && sr == newRoot && sn == 0
    }
}

/// All subtree hashes of a list of leaves, kept in memory: for tests and for rebuilding a log from its entries.
public struct MerkleLevels {
    /// levels[0] are the leaves; levels[h][i] covers leaves [i * 2^h, (i + 1) * 2^h).
    public private(set) var levels: [[Data]] = [[]]

    /// A tree of `leaves`.
    public init(leaves: [Data] = []) { leaves.forEach { append($0) } }

    /// How many leaves it holds.
    public var size: Int { levels[0].count }

    /// Adds a leaf hash.
    public mutating func append(_ leaf: Data) {
        levels[0].append(leaf)
        var height = 0
        while levels[height].count % 2 == 0 {
            let count = levels[height].count
            let parent = MerkleHash.node(levels[height][count - 2], levels[height][count - 1])
            if levels.count == height + 1 { levels.append([]) }
            levels[height + 1].append(parent)
            height += 1
        }
    }

    /// Proofs over this tree.
    public var proofs: MerkleProofs {
        let levels = self.levels
        return MerkleProofs { start, size in
            let height = size.trailingZeroBitCount
            return levels[height][start >> height]
        }
    }
}
