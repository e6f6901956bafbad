import AccordLog

/// The audit log's right edge as the writes of one group transaction (`GroupCommit`) extend it: the first write
/// reads the edge from the database, each later one starts where the last left it, and the group signs one
/// checkpoint over the edge it ends on, dated by its latest write.
final class LogGrowth: @unchecked Sendable {
    /// The growth before a write, to return to when its savepoint is rolled back.
    struct Mark {
        fileprivate let last: AuditAppend?
        fileprivate let latest: Int64
    }

    private var last: AuditAppend?
    private var latest: Int64 = 0

    /// The edge the group's writes have reached; nil until one of them appends.
    var edge: MerkleFrontier? { last?.frontier }

    /// Notes rows a write has inserted, at its time `now`.
    func appended(_ append: AuditAppend, now: Int64) {
        last = append
        latest = max(latest, now)
    }

    var mark: Mark { Mark(last: last, latest: latest) }

    func restore(_ mark: Mark) {
        last = mark.last
        latest = mark.latest
    }

    /// The checkpoint the group leaves, signed with the server's key; nil when no write appended to the log.
    func checkpoint(key: ServerSigningKey) throws -> Checkpoint? {
        try last?.checkpoint(key: key, now: latest)
    }
}
