import GRDB

/// Copies a WAL database's log back into the database file from a connection of its own, a few times a second, beside
/// the writer and without blocking it: left to the writer, every commit that crosses SQLite's checkpoint threshold
/// also copies and syncs everything the log holds, and the write that crossed it waits for all of that. The
/// writer's own threshold stays as a backstop and finds little or nothing left to copy.
public enum BackgroundCheckpoints {
    /// Starts passive checkpoints of the database at `path` every `interval`; cancel the task to stop them (the
    /// connection closes when it ends).
    public static func start(path: String, every interval: Duration = .milliseconds(250)) throws -> Task<Void, Never> {
        var configuration = Configuration()
        configuration.label = "checkpoints"
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        return Task.detached(priority: .utility) {
            while (try? await Task.sleep(for: interval)) != nil {
                _ = try? await connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
            }
        }
    }
}
