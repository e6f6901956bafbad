import Foundation

/// The right edge of a stored Merkle tree: one complete subtree per set bit of the size, largest first. From it
/// alone a writer appends leaves, learns which subtree hashes each append completes, and computes the root, without
/// reading the rest of the tree. A server loads it once per transaction (`coordinates(forSize:)` names the rows).
public struct MerkleFrontier: Sendable {
    /// A stored subtree hash: (height h, index i) covers leaves [i * 2^h, (i + 1) * 2^h).
    public struct Node: Sendable, Equatable {
        /// The node's height (leaves are 0).
        public var height: Int
        /// The node's index at its height.
        public var index: Int
        /// The node's hash.
        public var hash: Data

        /// A node.
        public init(height: Int, index: Int, hash: Data) { self.height = height; self.index = index; self.hash = hash }
    }

    /// How many leaves the tree holds.
    public private(set) var size: Int
    /// The complete subtrees of the right edge, largest (leftmost) first.
    private var edge: [Node]

    /// The (height, index) of each right-edge subtree of a tree of `size` leaves, largest first.
    public static func coordinates(forSize size: Int) -> [(height: Int, index: Int)] {
        var result: [(Int, Int)] = []
        var start = 0
        for height in stride(from: Int.bitWidth - 2, through: 0, by: -1) where size & (1 << height) != 0 {
            result.append((height, start >> height))
            start += 1 << height
        }
        return result
    }

    /// A frontier from the stored right-edge nodes of a tree of `size` leaves; fails when one is missing.
    public init(size: Int, nodes: [Node]) throws {
        self.size = size
        let wanted = Self.coordinates(forSize: size)
        edge = try wanted.map { coordinate in
            guard let node = nodes.first(where: { $0.height == coordinate.height && $0.index == coordinate.index }) else {
                throw MissingNode(height: coordinate.height, index: coordinate.index)
            }
            return node
        }
    }

    /// A node the frontier needed was not stored.
    public struct MissingNode: Error, Sendable, CustomStringConvertible {
        /// Its height.
        public let height: Int
        /// Its index.
        public let index: Int
        /// What is missing, in a sentence.
        public var description: String { "the audit log's tree is missing a node (height \(height), index \(index))" }
    }

    /// Appends a leaf hash and returns the subtree hashes to store: the leaf itself and each subtree it completes.
    public mutating func append(_ leaf: Data) -> [Node] {
        var node = Node(height: 0, index: size, hash: leaf)
        var completed = [node]
        while let last = edge.last, last.height == node.height {
            edge.removeLast()
            node = Node(height: node.height + 1, index: node.index >> 1, hash: MerkleHash.node(last.hash, node.hash))
            completed.append(node)
        }
        edge.append(node)
        size += 1
        return completed
    }

    /// The tree head (RFC 6962): the right-edge subtrees folded from the smallest up.
    public var root: Data {
        guard var hash = edge.last?.hash else { return MerkleHash.empty }
        for node in edge.dropLast().reversed() { hash = MerkleHash.node(node.hash, hash) }
        return hash
    }
}

extension MerkleFrontier {
    /// This frontier with `leaves` appended (the completed nodes are dropped).
    public func appending(_ leaves: [Data]) -> MerkleFrontier {
        var copy = self
        for leaf in leaves { _ = copy.append(leaf) }
        return copy
    }
}
