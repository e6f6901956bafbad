import AccordLog
import Foundation
import ServiceLifecycle

/// Refused credentials, counted instead of logged one by one: per minute (or `window`), address, credential prefix
/// and route, each bucket written to the audit log as one summary once its window has closed. A flood of bad requests
/// costs a few log entries, never one per request, and no path or credential is ever stored whole. At most
/// `maximumBuckets` buckets are kept per window; past that, the rest are counted together as "other".
actor RefusalLedger {
    struct Bucket: Hashable, Comparable {
        var window: Int64
        var address: String
        var prefix: String
        var route: String

        static func < (a: Bucket, b: Bucket) -> Bool {
            (a.window, a.address, a.prefix, a.route) < (b.window, b.address, b.prefix, b.route)
        }
    }

    private let repository: any SyncRepository
    private let windowMilliseconds: Int64
    private let maximumBuckets: Int
    private var counts: [Bucket: Int] = [:]
    private var flushing: Task<Void, Never>?

    init(repository: any SyncRepository, windowSeconds: Int = 60, maximumBuckets: Int = 100) {
        self.repository = repository
        windowMilliseconds = Int64(max(1, windowSeconds)) * 1000
        self.maximumBuckets = maximumBuckets
    }

    /// Counts one refused request, and writes the summaries of windows that have closed.
    func note(address: String?, credential: String?, path: String, now: Int64) async {
        let window = now / windowMilliseconds
        var bucket = Bucket(window: window, address: address ?? "unknown", prefix: Self.prefix(of: credential), route: Self.route(of: path))
        if counts[bucket] == nil, counts.keys.filter({ $0.window == window }).count >= maximumBuckets {
            bucket = Bucket(window: window, address: "other", prefix: "other", route: "other")
        }
        counts[bucket, default: 0] += 1
        await flush(before: window)
        if flushing == nil { scheduleFlush() }
    }

    /// A window that closes with no request after it is written by a timer, one window later.
    private func scheduleFlush() {
        let delay = UInt64(windowMilliseconds) * 1_000_000
        flushing = Task { [weak self] in
            try? await Task.sleep(nanoseconds: delay)
            await self?.timerFired()
        }
    }

    private func timerFired() async {
        flushing = nil
        await flush(before: ServerClock.nowMilliseconds() / windowMilliseconds)
        if !counts.isEmpty { scheduleFlush() }
    }

    /// Writes one summary entry per bucket of every window before `window`.
    func flush(before window: Int64) async {
        let closed = counts.keys.filter { $0.window < window }.sorted()
        guard !closed.isEmpty else { return }
        let entries = closed.map { bucket in
            AuditEntry.refusedCredentials(count: counts[bucket] ?? 0, route: bucket.route, prefix: bucket.prefix, address: bucket.address,
                                          from: bucket.window * windowMilliseconds, seconds: Int(windowMilliseconds / 1000))
        }
        for bucket in closed { counts[bucket] = nil }
        try? await repository.record(entries, now: ServerClock.nowMilliseconds())
    }

    /// The first 8 characters of a presented credential (never the rest), or "none".
    static func prefix(of credential: String?) -> String {
        guard let credential, !credential.isEmpty else { return "none" }
        return String(credential.prefix(8).filter { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
    }

    /// The route family asked for, from a fixed list; anything else is "other", so no path is ever stored.
    static func route(of path: String) -> String {
        for known in ["/v1/events", "/v1/keys", "/v1/log", "/v1/site", "/v1/patients", "/audit"] where path.hasPrefix(known) {
            return known
        }
        return "other"
    }
}

/// Writes the refusals still being counted when the server stops cleanly (SIGTERM), so a stop loses none of them.
struct RefusalFlushOnStop: Service {
    let ledger: RefusalLedger

    func run() async throws {
        try? await gracefulShutdown()
        await ledger.flush(before: .max)
    }
}
