import Foundation

/// Checks a copy of the audit log as C2SP tiles (what `accord-server audit export` writes and the server serves under
/// its log prefix) against a signed checkpoint: the note's signature with the log's verifier key, every entry
/// bundle, every hash tile, and the root rebuilt from the entries themselves. Reads files through `read`, so the
/// same check runs on a folder, an archive or a web mirror.
public enum TileArchiveCheck {
    /// What the check found.
    public struct Report: Sendable, Equatable, Encodable {
        /// The checkpoint's origin.
        public var origin: String
        /// The entries the checkpoint covers.
        public var size: Int
        /// The checkpoint's root hash, base64.
        public var root: String
        /// Tiles and bundles read.
        public var tiles: Int
        /// Entries of each kind (`event.accepted`, `record.read`, ...).
        public var kinds: [String: Int]
        /// The witnesses asked for whose valid cosignature the checkpoint carries.
        public var cosignedBy: [String] = []
        /// What is wrong; empty when everything checks.
        public var problems: [String]
        /// Whether everything checked.
        public var ok: Bool { problems.isEmpty }
    }

    /// Checks the archive: `read(path)` gives a file's bytes (nil when missing), paths as in the C2SP layout
    /// (`checkpoint`, `tile/0/000`, `tile/entries/000`, ...).
    /// `witnesses`: the witness keys to look for; `required`: how many of them must have cosigned the checkpoint.
    public static func run(key: NoteKey, witnesses: [WitnessKey] = [], required: Int = 0, read: (String) throws -> Data?) rethrows -> Report {
        var report = Report(origin: key.name, size: 0, root: "", tiles: 0, kinds: [:], problems: [])
        guard let noteBytes = try read("checkpoint"), let noteText = String(data: noteBytes, encoding: .utf8) else {
            report.problems.append("checkpoint: missing or not text")
            return report
        }
        let checkpoint: CheckpointNote
        do { checkpoint = try CheckpointNote.open(noteText, verifier: key) } catch {
            report.problems.append("checkpoint: \(error.description)")
            return report
        }
        report.size = checkpoint.size
        report.root = checkpoint.root.base64EncodedString()
        if let (_, body, signatures) = try? CheckpointNote.parse(noteText) {
            report.cosignedBy = witnesses.filter { witness in signatures.contains { witness.verifiedTime($0, body: body) != nil } }.map(\.name)
        }
        if report.cosignedBy.count < required {
            report.problems.append("checkpoint: cosigned by \(report.cosignedBy.count) of the witnesses given (\(report.cosignedBy.joined(separator: ", "))), \(required) required")
        }

        // The entries, bundle by bundle, and the leaf hashes they give.
        var leaves: [Data] = []
        leaves.reserveCapacity(checkpoint.size)
        for tile in LogTiles.row(level: nil, count: checkpoint.size) {
            guard let data = try read(tile.path) else {
                report.problems.append("\(tile.path): missing")
                return report
            }
            report.tiles += 1
            let entries: [Data]
            do { entries = try LogTiles.entries(inBundle: data) } catch {
                report.problems.append("\(tile.path): \(error.description)")
                return report
            }
            guard entries.count == tile.width else {
                report.problems.append("\(tile.path): holds \(entries.count) entries, not \(tile.width)")
                return report
            }
            for (offset, entry) in entries.enumerated() {
                let position = tile.index * LogTiles.width + offset
                if let decoded = try? AuditEntry.decode(entry) {
                    report.kinds[decoded.kind.rawValue, default: 0] += 1
                    if decoded.position != position { report.problems.append("entry \(position): says it is at position \(decoded.position)") }
                } else {
                    report.problems.append("entry \(position): not an audit log entry")
                }
                leaves.append(MerkleHash.leaf(entry))
            }
        }
        guard MerkleHash.root(ofLeaves: leaves) == checkpoint.root else {
            report.problems.append("the entries do not hash to the checkpoint's root: the archive is not the log the server signed")
            return report
        }

        // Every hash tile must hold exactly the subtree hashes the entries give.
        var level = leaves
        var height = 0
        while !level.isEmpty {
            for tile in LogTiles.row(level: height, count: level.count) {
                report.tiles += 1
                let expected = level[(tile.index * LogTiles.width)..<(tile.index * LogTiles.width + tile.width)].reduce(Data(), +)
                guard let data = try read(tile.path) else { report.problems.append("\(tile.path): missing"); continue }
                if data != expected { report.problems.append("\(tile.path): its hashes are not the tree's") }
            }
            level = stride(from: 0, to: level.count - level.count % LogTiles.width, by: LogTiles.width).map { start in
                StoredNodes.fold(Array(level[start..<(start + LogTiles.width)]))
            }
            height += 1
        }
        return report
    }
}
