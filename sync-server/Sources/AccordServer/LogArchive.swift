import AccordLog
import Crypto
import Foundation

/// The audit log in the open formats: the latest checkpoint as a C2SP signed note, and the tree and entries as C2SP
/// tiles, read from a storage. The server's routes serve them and `accord-server audit export` writes them to a
/// folder, so the two always agree.
public enum LogArchive {
    /// The log's origin: a name unique to this log, derived from its signing key so it holds for as long as the key.
    public static func origin(for key: ServerSigningKey) -> String { NoteKey.origin(forLogKey: key.publicKey) }

    /// The verifier key auditors and witnesses pin: `ORIGIN+KEYID+BASE64`.
    public static func verifierKey(for key: ServerSigningKey) -> NoteKey { NoteKey.forLog(publicKey: key.publicKey) }

    /// `checkpoint` with its C2SP note, as every answer to a site carries it. Many requests ask for the same latest
    /// checkpoint, and its note never changes (Ed25519 is deterministic), so the last one signed is kept.
    public static func noted(_ checkpoint: Checkpoint, key: ServerSigningKey) throws -> Checkpoint {
        guard let root = checkpoint.rootHash else { return checkpoint }
        var noted = checkpoint
        let cacheKey = LastNote.Key(publicKey: key.publicKey, size: checkpoint.size, root: root)
        if let note = lastNote.note(for: cacheKey) {
            noted.note = note
        } else {
            let note = try CheckpointNote(origin: origin(for: key), size: checkpoint.size, root: root).signed(name: origin(for: key), key: key.privateKey)
            lastNote.keep(note, for: cacheKey)
            noted.note = note
        }
        return noted
    }

    static let lastNote = LastNote()

    /// The note signed last, by checkpoint.
    final class LastNote: @unchecked Sendable {
        struct Key: Equatable { var publicKey: Data; var size: Int; var root: Data }
        private let lock = NSLock()
        private var kept: (key: Key, note: String)?

        func note(for key: Key) -> String? { lock.withLock { kept?.key == key ? kept?.note : nil } }
        func keep(_ note: String, for key: Key) { lock.withLock { kept = (key, note) } }
    }

    /// The latest checkpoint as a signed note, with the checkpoint it states; nil while the log is empty.
    public static func note(_ repository: any SyncRepository) async throws -> (text: String, checkpoint: CheckpointNote)? {
        // The repository's latest checkpoint carries its note already (`noted`).
        guard let latest = try await repository.latestCheckpoint(), let root = latest.rootHash, let note = latest.note else { return nil }
        let checkpoint = CheckpointNote(origin: origin(for: repository.signingKey), size: latest.size, root: root)
        // The witnesses' cosignatures of this checkpoint follow the log's own signature line.
        return (note + (try await repository.cosignatures(size: latest.size)).joined(), checkpoint)
    }

    /// A tile's bytes for a log of `size` entries; nil when the tile lies beyond the log or the tree.
    public static func tile(_ tile: LogTiles.Tile, size: Int, _ repository: any SyncRepository) async throws -> Data? {
        let available = tile.level.map { size >> ($0 * LogTiles.height) } ?? size
        let start = tile.index * LogTiles.width
        guard start + tile.width <= available else { return nil }
        guard let level = tile.level else {
            guard let entries = try await repository.logEntries(from: start, count: tile.width) else { return nil }
            return try LogTiles.bundle(entries)
        }
        return try await repository.treeHashes(height: level * LogTiles.height, from: start, count: tile.width)?.reduce(Data(), +)
    }

    /// Writes the checkpoint note, every tile and entry bundle of it, and the verifier key into `folder` (which
    /// must not exist yet). Returns the checkpoint and how many files were written.
    public static func export(_ repository: any SyncRepository, to folder: URL) async throws -> (checkpoint: CheckpointNote, files: Int) {
        let files = FileManager.default
        guard !files.fileExists(atPath: folder.path) else {
            throw ServerError("\(folder.path) exists already; give a new folder, so an older export is never mixed with this one.")
        }
        guard let (text, checkpoint) = try await note(repository) else { throw ServerError("The audit log is empty; there is nothing to export.") }
        let staging = folder.deletingLastPathComponent().appendingPathComponent(".\(folder.lastPathComponent).partial-\(UUID().uuidString.prefix(8))")
        do {
            try files.createDirectory(at: staging, withIntermediateDirectories: true)
            var written = 0
            func write(_ data: Data, _ path: String) throws {
                let url = staging.appendingPathComponent(path)
                try files.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: url)
                written += 1
            }
            for each in LogTiles.tiles(forSize: checkpoint.size) {
                guard let data = try await tile(each, size: checkpoint.size, repository) else {
                    throw ServerError("The log's \(each.path) could not be read; run `accord-server audit verify`.")
                }
                try write(data, each.path)
            }
            try write(Data(text.utf8), "checkpoint")
            try write(Data((verifierKey(for: repository.signingKey).encoded + "\n").utf8), "log.vkey")
            // The folder appears whole or not at all.
            try files.moveItem(at: staging, to: folder)
            return (checkpoint, written)
        } catch {
            try? files.removeItem(at: staging)
            throw error
        }
    }
}
