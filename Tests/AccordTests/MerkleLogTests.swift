import AccordLog
import Crypto
import Foundation
import Testing

/// The audit log's Merkle tree against RFC 6962's definitions and the Certificate Transparency test vectors.
@Suite("Merkle tree log (RFC 6962/9162)")
struct MerkleLogTests {
    /// The eight leaves of the Certificate Transparency reference tests, and the roots of their prefixes.
    static let vectorLeaves = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
        .map { Data(hexString: $0)! }
    static let vectorRoots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    @Test("roots of the reference tree's prefixes match the published values")
    func referenceRoots() throws {
        let leaves = Self.vectorLeaves.map(MerkleHash.leaf)
        #expect(MerkleHash.root(ofLeaves: []).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        for size in 1...8 {
            #expect(MerkleHash.root(ofLeaves: Array(leaves.prefix(size))).hexString == Self.vectorRoots[size - 1], "size \(size)")
            #expect(try MerkleLevels(leaves: Array(leaves.prefix(size))).proofs.root(size: size).hexString == Self.vectorRoots[size - 1])
        }
    }

    @Test("a frontier resumed from the stored right edge at any size appends the same nodes and roots as the whole tree")
    func frontier() throws {
        #expect(try MerkleFrontier(size: 0, nodes: []).root == MerkleHash.empty)
        let leaves = Self.vectorLeaves.map(MerkleHash.leaf) + (0..<92).map { MerkleHash.leaf(Data("entry \($0)".utf8)) }
        let levels = MerkleLevels(leaves: leaves)
        for start in [0, 1, 2, 3, 7, 8, 13, 64, 99] {
            let stored = MerkleFrontier.coordinates(forSize: start).map {
                MerkleFrontier.Node(height: $0.height, index: $0.index, hash: levels.levels[$0.height][$0.index])
            }
            var frontier = try MerkleFrontier(size: start, nodes: stored.reversed())
            #expect(try frontier.root == levels.proofs.root(size: start), "root at \(start)")
            for position in start..<leaves.count {
                let nodes = frontier.append(leaves[position])
                #expect(nodes.allSatisfy { levels.levels[$0.height][$0.index] == $0.hash }, "nodes at \(position)")
                #expect(nodes.count == 1 + (position + 1).trailingZeroBitCount)
                #expect(try frontier.root == levels.proofs.root(size: position + 1), "root at \(position + 1) resumed from \(start)")
            }
            if start >= 3 {
                #expect(throws: MerkleFrontier.MissingNode.self) { try MerkleFrontier(size: start, nodes: Array(stored.dropFirst())) }
            }
        }
        #expect(Self.vectorRoots.last == (try MerkleFrontier(size: 0, nodes: []).appending(Self.vectorLeaves.map(MerkleHash.leaf)).root.hexString))
    }

    @Test("proofs and frontiers from the hashes kept at heights 0, 4, 8, 12 equal those from the whole tree", arguments: [1, 255, 256, 257, 700, 65_537])
    func keptHeightsOnly(size: Int) throws {
        let leaves = (0..<size).map { MerkleHash.leaf(Data("entry \($0)".utf8)) }
        let levels = MerkleLevels(leaves: leaves)
        // What a server keeps: the nodes an append reports at kept heights.
        var kept: [String: Data] = [:]
        var frontier = try MerkleFrontier(size: 0, nodes: [])
        for leaf in leaves {
            for node in frontier.append(leaf) where StoredNodes.isKept(height: node.height) { kept["\(node.height)/\(node.index)"] = node.hash }
        }
        #expect(kept.count <= size + size / 15 + 2, "one row an entry, plus one in 16")
        func node(_ height: Int, _ index: Int) throws -> Data {
            let base = StoredNodes.base(height: height, index: index)
            return StoredNodes.fold(try base.indexes.map { try #require(kept["\(base.height)/\($0)"]) })
        }
        let fromKept = MerkleProofs { start, width in try node(width.trailingZeroBitCount, start >> width.trailingZeroBitCount) }
        for old in Set([0, 1, size / 3, size - 1, size]) where old <= size {
            #expect(try fromKept.consistency(old: old, new: size) == levels.proofs.consistency(old: old, new: size), "consistency \(old)->\(size)")
            let edge = try MerkleFrontier.coordinates(forSize: old).map { MerkleFrontier.Node(height: $0.height, index: $0.index, hash: try node($0.height, $0.index)) }
            #expect(try MerkleFrontier(size: old, nodes: edge).root == levels.proofs.root(size: old))
        }
        for index in Set([0, size / 2, size - 1]) {
            #expect(try fromKept.inclusion(index: index, size: size) == levels.proofs.inclusion(index: index, size: size), "inclusion \(index)")
        }
    }

    @Test("every inclusion and consistency proof verifies, and any change to a proof, a leaf or a root fails", arguments: [1, 2, 3, 5, 8, 13, 64, 100])
    func proofs(size: Int) throws {
        let leaves = (0..<size).map { MerkleHash.leaf(Data("entry \($0)".utf8)) }
        let levels = MerkleLevels(leaves: leaves)
        let proofs = levels.proofs
        let roots = try (0...size).map { try proofs.root(size: $0) }
        for n in 1...size {
            #expect(roots[n] == MerkleHash.root(ofLeaves: Array(leaves.prefix(n))))
            for index in 0..<n {
                let path = try proofs.inclusion(index: index, size: n)
                #expect(MerkleVerifier.verifyInclusion(leaf: leaves[index], index: index, size: n, proof: path, root: roots[n]))
                #expect(!MerkleVerifier.verifyInclusion(leaf: leaves[(index + 1) % size], index: index, size: n, proof: path, root: roots[n]) || size == 1)
                if !path.isEmpty {
                    var bent = path
                    bent[0][0] ^= 1
                    #expect(!MerkleVerifier.verifyInclusion(leaf: leaves[index], index: index, size: n, proof: bent, root: roots[n]))
                }
            }
            for m in 0...n {
                let proof = try proofs.consistency(old: m, new: n)
                #expect(MerkleVerifier.verifyConsistency(oldSize: m, oldRoot: roots[m], newSize: n, newRoot: roots[n], proof: proof), "\(m) → \(n)")
                if m > 0 && m < n {
                    var otherRoot = roots[m]
                    otherRoot[5] ^= 0x10
                    #expect(!MerkleVerifier.verifyConsistency(oldSize: m, oldRoot: otherRoot, newSize: n, newRoot: roots[n], proof: proof))
                    #expect(!MerkleVerifier.verifyConsistency(oldSize: m, oldRoot: roots[m], newSize: n, newRoot: roots[n], proof: Array(proof.dropLast())))
                }
            }
        }
    }

    @Test("an inclusion proof at 1,000,000 entries is 20 hashes: 640 bytes")
    func proofSize() throws {
        let size = 1_000_000
        // Only the subtrees a proof touches are hashed, so the test stays fast.
        let proofs = MerkleProofs { start, width in MerkleHash.leaf(Data("\(start)/\(width)".utf8)) }
        let path = try proofs.inclusion(index: 765_432, size: size)
        #expect(path.count == 20)
        #expect(path.reduce(0) { $0 + $1.count } == 640)
    }

    @Test("a checkpoint signature binds size, root and time; another key or an edited field fails")
    func checkpoints() throws {
        let key = Curve25519.Signing.PrivateKey()
        let checkpoint = try Checkpoint.sign(size: 10, root: MerkleHash.empty, at: "2026-11-23T10:00:00.000Z", with: key)
        #expect(checkpoint.verifies(with: key.publicKey.rawRepresentation))
        #expect(!checkpoint.verifies(with: Curve25519.Signing.PrivateKey().publicKey.rawRepresentation))
        var rolledBack = checkpoint
        rolledBack.size = 9
        #expect(!rolledBack.verifies(with: key.publicKey.rawRepresentation))
    }
}
