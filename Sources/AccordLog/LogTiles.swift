import Foundation

/// The audit log as C2SP tiles (c2sp.org/tlog-tiles): the hashes of the Merkle tree in tiles of 256, level L holding
/// the subtree hashes of height 8L, and the entries themselves in bundles of 256. A full tile never changes; the
/// rightmost tile of a level is partial (`.p/W`) until it fills. From the tiles and a checkpoint anyone can rebuild any
/// inclusion or consistency proof without asking the server.
public enum LogTiles {
    /// Hashes (or entries) in a full tile.
    public static let width = 256
    /// The tree height a tile spans.
    public static let height = 8

    /// A tile: its level (nil for an entry bundle), its index in the level, and its width (256 when full).
    public struct Tile: Sendable, Hashable {
        /// The level: 0 for leaf hashes, L for subtree hashes of height 8L; nil for an entry bundle.
        public var level: Int?
        /// The index along the level.
        public var index: Int
        /// How many hashes or entries it holds, 1 to 256.
        public var width: Int

        /// A tile.
        public init(level: Int?, index: Int, width: Int) { self.level = level; self.index = index; self.width = width }

        /// Its path under the log's prefix: `tile/L/N[.p/W]` or `tile/entries/N[.p/W]`.
        public var path: String {
            "tile/" + (level.map(String.init) ?? "entries") + "/" + LogTiles.encode(index) + (width < LogTiles.width ? ".p/\(width)" : "")
        }

        /// Reads a path such as `tile/0/x001/234.p/7`; nil for anything else.
        public init?(path: String) {
            var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 3, parts[0] == "tile" else { return nil }
            if parts[1] == "entries" { level = nil } else if let level = Int(parts[1]), (0...63).contains(level), String(level) == parts[1] { self.level = level } else { return nil }
            parts.removeFirst(2)
            width = LogTiles.width
            if parts.count >= 2, parts[parts.count - 2].hasSuffix(".p") {
                guard let partial = Int(parts[parts.count - 1]), (1..<LogTiles.width).contains(partial), String(partial) == parts[parts.count - 1] else { return nil }
                width = partial
                parts.removeLast()
                parts[parts.count - 1].removeLast(2)
            }
            guard let index = LogTiles.decode(parts) else { return nil }
            self.index = index
        }
    }

    /// An index as path elements of three digits, all but the last prefixed with `x`: 1234067 is `x001/x234/067`.
    public static func encode(_ index: Int) -> String {
        var groups: [String] = []
        var rest = index
        repeat {
            groups.insert(String(format: "%03d", rest % 1000), at: 0)
            rest /= 1000
        } while rest > 0
        return groups.enumerated().map { $0.offset < groups.count - 1 ? "x" + $0.element : $0.element }.joined(separator: "/")
    }

    static func decode(_ parts: [String]) -> Int? {
        guard !parts.isEmpty, parts.count <= 7 else { return nil }
        var index = 0
        for (offset, part) in parts.enumerated() {
            let digits = offset < parts.count - 1 ? (part.hasPrefix("x") ? String(part.dropFirst()) : "") : part
            guard digits.count == 3, digits.allSatisfy(\.isASCII), let value = Int(digits), digits.allSatisfy(\.isNumber) else { return nil }
            if offset == 0, parts.count > 1, value == 0 { return nil }  // no leading zero groups
            index = index * 1000 + value
        }
        return index
    }

    /// The tiles of a tree of `size` entries: every level's full tiles and its partial last one, and the entry
    /// bundles likewise.
    public static func tiles(forSize size: Int) -> [Tile] {
        var tiles: [Tile] = []
        var level = 0
        var count = size
        while count > 0 {
            tiles += row(level: level, count: count)
            level += 1
            count >>= height
        }
        return row(level: nil, count: size) + tiles
    }

    /// The tiles along one level holding `count` hashes (or entries).
    static func row(level: Int?, count: Int) -> [Tile] {
        stride(from: 0, to: count, by: width).map { start in Tile(level: level, index: start / width, width: min(width, count - start)) }
    }

    /// Entries written as C2SP entry bundles: each a big-endian 16-bit length and its bytes.
    public static func bundle(_ entries: [Data]) throws(NoteError) -> Data {
        var data = Data()
        for entry in entries {
            guard entry.count <= Int(UInt16.max) else { throw NoteError("an entry of \(entry.count) bytes is longer than a bundle can hold (65,535)") }
            data.append(UInt8(entry.count >> 8)); data.append(UInt8(entry.count & 0xFF))
            data += entry
        }
        return data
    }

    /// The entries of a bundle.
    public static func entries(inBundle data: Data) throws(NoteError) -> [Data] {
        var entries: [Data] = []
        var offset = data.startIndex
        while offset < data.endIndex {
            guard data.endIndex - offset >= 2 else { throw NoteError("an entry bundle ends inside a length") }
            let length = Int(data[offset]) << 8 | Int(data[offset + 1])
            offset += 2
            guard data.endIndex - offset >= length else { throw NoteError("an entry bundle ends inside an entry") }
            entries.append(Data(data[offset..<(offset + length)]))
            offset += length
        }
        return entries
    }
}
