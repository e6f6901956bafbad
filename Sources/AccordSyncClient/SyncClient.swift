import AccordCore
import AccordLog
import AccordStore
import AccordSync
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// What one sync did.
public struct SyncReport: Sendable, Codable, Equatable {
    /// Events the server stored for the first time.
    public var pushed = 0
    /// Events the server already held (a resent batch).
    public var duplicates = 0
    /// Events the server refused, kept in the outbox with the reason.
    public var refused: [SyncRefusal] = []
    /// Events fetched from the server and stored here.
    public var pulled = 0
    /// The patients whose records received events in this sync, sorted.
    public var pulledPatients: [String] = []
    /// The patients whose records received an entry that changes a part of them (`EventType.changesAnEntity`),
    /// sorted: the only records on which this sync can have opened a conflict.
    public var changedPatients: [String] = []
    /// Bytes of push bodies sent (gzip) and of pull pages received, headers left out, and how many requests each took.
    public var pushedBytes = 0
    /// Bytes fetched.
    public var pulledBytes = 0
    /// Push requests made.
    public var pushRequests = 0
    /// Pull requests made.
    public var pullRequests = 0
    /// Events still waiting in the outbox (1 when any remain).
    public var pending = 0
    /// This clinician's signing key as the server sees it: pending, approved or revoked.
    public var keyStatus: KeyInfo.Status?
    /// The clinician's key fingerprint, when the key was registered during this sync.
    public var keyFingerprint: String?
    /// The size of the server's audit log as verified at the end of this sync (signed checkpoint, consistent with
    /// the one verified before).
    public var logSize: Int?
    /// True when everything written here is on the server and everything the server has for this site is here.
    public var complete: Bool { refused.isEmpty && pending == 0 }
}

/// An event the server refused, with its code and reason.
public struct SyncRefusal: Sendable, Codable, Equatable {
    /// The refused event's id.
    public var event: String
    /// Why, as a stable code.
    public var code: RefusalCode
    /// Why, in a sentence.
    public var reason: String
}

/// Progress on a long sync, for a progress bar or a terminal line.
public struct SyncProgress: Sendable, Equatable {
    /// "pushed" while sending, "pulled" while fetching.
    public var phase: String
    /// Events done so far in this phase.
    public var events: Int
    /// Events this phase will handle, when known: the outbox at the start of a push; a pull cannot know.
    public var total: Int?
    /// Seconds since the sync began.
    public var seconds: Double

    /// Events done so far in this phase.
    public var done: Int { events }

    /// How far the phase has come, 0 to 1, when its total is known.
    public var fraction: Double? {
        guard let total else { return nil }
        return total == 0 ? 1 : min(1, Double(events) / Double(total))
    }
}

/// Why a sync stopped: a code to act on, and a message that says what happened. Messages name no command; a
/// client adds its own hint for the code.
public struct SyncError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure, open to new cases without breaking callers that switch on `code`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// The code as written in logs.
        public var description: String { name }
        /// No server is set for this store.
        public static let noServer = Code(name: "no-server")
        /// The stored server address is not http(s).
        public static let badServerAddress = Code(name: "bad-server-address")
        /// The server refused this site's credential.
        public static let unauthorized = Code(name: "unauthorized")
        /// The server refused the request (a 4xx); `serverCode` says which.
        public static let refused = Code(name: "refused")
        /// The server could not be reached or kept failing; nothing was lost, try again later.
        public static let unavailable = Code(name: "unavailable")
        /// The server's answer could not be read or does not check out.
        public static let badAnswer = Code(name: "bad-answer")
        /// The server's https certificate is not trusted here.
        public static let untrustedServer = Code(name: "untrusted-server")
        /// The credential belongs to another site than the one this store writes as.
        public static let wrongSite = Code(name: "wrong-site")
        /// The server's audit log failed its check: it was rolled back, rewritten, or is another server.
        public static let auditLogFailed = Code(name: "audit-log-failed")
    }

    /// What kind of failure this is.
    public let code: Code
    /// What happened and what to do, in a sentence.
    public let description: String
    /// True when trying again later may succeed.
    public let retryable: Bool
    /// The server's own code, when it answered with an error body.
    public let serverCode: APIErrorCode?

    init(_ code: Code, _ message: String, retryable: Bool = false, serverCode: APIErrorCode? = nil) {
        self.code = code
        description = message
        self.retryable = retryable
        self.serverCode = serverCode
    }
}

/// One sync's work: push the outbox in batches, then pull the feed page by page, each page stored with its cursor
/// in one transaction. Safe to run while the clinician works, and to run again after any failure. `SyncClient` runs
/// it one sync at a time.
struct SyncEngine: Sendable {
    let store: EventStore
    let transport: any SyncTransport
    let credentials: any SyncCredentialStore
    let batchSize: Int
    let attempts: Int

    init(store: EventStore, transport: (any SyncTransport)? = nil, credentials: (any SyncCredentialStore)? = nil,
         batchSize: Int = SyncWire.maximumBatch, attempts: Int = 5, timeout: TimeInterval = 30) {
        self.store = store
        self.credentials = credentials ?? StoredSyncCredential(store: store)
        self.transport = transport ?? URLSessionTransport(timeout: timeout)
        self.batchSize = batchSize
        self.attempts = attempts
    }

    func sync(progress: @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
        let (remote, base, credential) = try endpoint()
        var report = SyncReport()
        let started = Date()
        // The log is checked before anything is sent or stored: a server whose log was rolled back or rewritten gets
        // nothing from this site and gives it nothing, and the store is left as it was.
        report.logSize = try await checkLog(base: base, credential: credential)?.size
        // The key is registered until the server reports it approved; a later revocation shows as refused entries.
        if try store.syncState.keyStatus() != KeyInfo.Status.approved.rawValue || store.syncState.refusedEvents().contains(where: { $0.code.hasPrefix("key-") }) {
            // Before a key is registered (which binds the clinician to the credential's site), the site must match.
            try await checkSite(base: base, credential: credential)
            let key = try await registerKey(base: base, credential: credential)
            try store.syncState.setKeyStatus(key.status.rawValue)
            report.keyStatus = key.status
            report.keyFingerprint = key.fingerprint
        } else {
            report.keyStatus = .approved
        }
        // An entry refused because its parent was not on the server yet goes again: the parent may be there now.
        try store.syncState.retryRefused(codes: [RefusalCode.unknownParent.rawValue])
        let toSend = try store.syncState.outboxCount()
        try Task.checkCancellation()
        let pushedLog = try await push(base: base, credential: credential, since: try pinnedCheckpoint()?.size, report: &report) { count in
            progress(SyncProgress(phase: "pushed", events: count, total: toSend, seconds: Date().timeIntervalSince(started)))
        }
        try Task.checkCancellation()
        try await pull(base: base, credential: credential, cursor: remote.cursor, report: &report) { count in
            progress(SyncProgress(phase: "pulled", events: count, total: nil, seconds: Date().timeIntervalSince(started)))
        }
        // And again at the end when this site sent anything, so the checkpoint kept covers what it sent: a server
        // later rolled back behind it is caught at the next sync. The pushes' answers carry that checkpoint; only a
        // server that leaves it out is asked again.
        do {
            if let pushedLog {
                report.logSize = try pin(pushedLog.checkpoint, consistency: pushedLog.consistency).size
            } else if report.pushRequests > 0 {
                report.logSize = try await checkLog(base: base, credential: credential)?.size
            }
        } catch let error as SyncError where error.code == .auditLogFailed {
            throw Self.logFailureAfterExchange(error)
        }
        report.pending = try store.syncState.outboxBytes(limit: 1).count
        report.refused = try store.syncState.refusedEvents().map { SyncRefusal(event: $0.event.hex, code: RefusalCode(rawValue: $0.code), reason: $0.reason) }
        return report
    }

    /// Sends the outbox in batches, keeping one batch in flight while the answer to the previous one is recorded
    /// and the next is read: the server works on one batch while this site does its bookkeeping for another. A batch
    /// leaves the outbox only when its own answer is recorded, so a failure at any point loses nothing.
    /// The batch that empties the outbox asks for the log's checkpoint after it, consistent with the log of size
    /// `since` (the one pinned): one proof per sync, not one per batch. The largest answered comes back when the last
    /// batch sent asked for it, so that it covers every batch (the log only grows); nil otherwise.
    func push(base: URL, credential: String, since: Int?, report: inout SyncReport, progress: (Int) -> Void) async throws -> CheckpointAnswer? {
        var refusedNow = Set<EventID>()
        var log: CheckpointAnswer?
        var lastAskedForLog = false
        var inFlight: (batch: [EventID], reply: Task<SyncReply, any Error>)?
        defer { inFlight?.reply.cancel() }
        while true {
            let waiting = try store.syncState.outboxBytes(limit: batchSize, excluding: refusedNow.union(inFlight?.batch ?? []))
                .map { SyncWire.Item(id: $0.id, bytes: $0.bytes, signature: $0.signature) }
            let (batch, body) = Self.compressedBatch(SyncWire.fittingBody(waiting))
            report.pushedBytes += body.count
            report.pushRequests += batch.isEmpty ? 0 : 1
            let asksForLog = waiting.count < batchSize && batch.count == waiting.count
            if !batch.isEmpty { lastAskedForLog = asksForLog }
            let next = batch.isEmpty ? nil : (batch: batch.map(\.id), reply: send(pushRequest(base: base, credential: credential,
                                                                                               since: asksForLog ? since : nil, body: body)))
            if let previous = inFlight {
                inFlight = next
                let answered = try recordPush(previous.batch, reply: try await previous.reply.answer, refused: &refusedNow, report: &report)
                if let answered, answered.checkpoint.size >= log?.checkpoint.size ?? 0 { log = answered }
                progress(report.pushed + report.duplicates)
            } else {
                inFlight = next
            }
            if inFlight == nil { return lastAskedForLog ? log : nil }
        }
    }

    /// The longest prefix of `items` whose gzip body stays within `pushBodyBytes`, with that body (one item at
    /// least). Compressed about fivefold, a batch of up to 1,000 events usually fits at the first or second try.
    public static func compressedBatch(_ items: [SyncWire.Item]) -> (items: [SyncWire.Item], body: Data) {
        guard !items.isEmpty else { return ([], Data()) }  // an empty outbox sends nothing
        var count = items.count
        while true {
            let body = Gzip.compress(SyncWire.pushBody(Array(items.prefix(count))))
            if body.count <= pushBodyBytes || count <= 1 { return (Array(items.prefix(count)), body) }
            count = max(1, min(count - 1, count * (pushBodyBytes * 9 / 10) / body.count))
        }
    }

    #if canImport(FoundationNetworking)
    /// The most a compressed push body holds: 64 KiB is what libcurl takes from a request body at once. With more,
    /// FoundationNetworking (Linux) keeps watching the socket for writability after the body has gone and spins a
    /// core until the server answers (60 ms of CPU for a 400 KB body answered in 70 ms; under 1 ms at 64 KiB).
    public static let pushBodyBytes = 64 * 1024
    #else
    /// Apple's URLSession has no such limit; the server's 8 MiB bound still holds through `SyncWire.fittingBody`.
    public static let pushBodyBytes = 1024 * 1024
    #endif

    func pushRequest(base: URL, credential: String, since: Int?, body: Data) -> URLRequest {
        var request = request(base, SyncWire.eventsPath, credential: credential, query: since.map { ["since": String($0)] } ?? [:])
        request.httpMethod = "POST"
        request.setValue(SyncWire.contentType, forHTTPHeaderField: "Content-Type")
        request.setValue("gzip", forHTTPHeaderField: "Content-Encoding")
        request.setValue(store.identity.storeID, forHTTPHeaderField: SyncWire.storeHeader)
        request.httpBody = body
        return request
    }

    /// Applies the server's answer to one batch: acknowledged events leave the outbox, refused ones keep the reason.
    /// Returns the log's checkpoint the answer carries, checked later.
    func recordPush(_ batch: [EventID], reply: SyncReply, refused refusedNow: inout Set<EventID>, report: inout SyncReport) throws -> CheckpointAnswer? {
        let response: PushResponse
        do { response = try JSONTreeDecoder().decode(PushResponse.self, from: reply.body) } catch {
            throw SyncError(.badAnswer, "The server's answer to a push could not be read; nothing was marked as sent. Try again later.", retryable: true)
        }
        let acknowledged = response.accepted.compactMap { EventID(hex: $0.id) }
        let refused = response.rejected.compactMap { rejection in
            rejection.id.flatMap(EventID.init(hex:)).map { RefusedEvent(event: $0, code: rejection.code.rawValue, reason: rejection.reason) }
        }
        try store.syncState.recordPushOutcome(acknowledged: acknowledged, refused: refused)
        refusedNow.formUnion(refused.map(\.event))
        report.pushed += response.accepted.filter { !$0.duplicate }.count
        report.duplicates += response.accepted.filter(\.duplicate).count
        if acknowledged.isEmpty && refused.isEmpty {
            throw SyncError(.badAnswer, "The server acknowledged none of a batch of \(batch.count) events and gave no reasons; stopping. Nothing was lost: the events stay in the outbox.")
        }
        return response.log
    }

    /// Pulls page by page: while one page is stored with its cursor (one transaction), the next is fetched and
    /// checked. Pages are stored strictly in turn, each after the one before it has committed, so the stored
    /// cursor never passes an event that is not stored, whatever stops the sync.
    func pull(base: URL, credential: String, cursor start: Int64, report: inout SyncReport, progress: (Int) -> Void) async throws {
        var cursor = start
        var patients = Set<String>(), changed = Set<String>()
        defer {
            report.pulledPatients = patients.sorted()
            report.changedPatients = changed.sorted()
        }
        var next = send(pullRequest(base: base, credential: credential, after: cursor))
        var storing: Task<Int, any Error>?
        defer { next.cancel() }
        do {
            while true {
                let reply = try await next.answer
                guard let pageCursor = reply.headers[SyncWire.cursorHeader.lowercased()].flatMap(Int64.init), pageCursor >= cursor else {
                    throw SyncError(.badAnswer, "The server's pull answer has no valid cursor; nothing was stored. Try again later.", retryable: true)
                }
                let more = reply.headers[SyncWire.moreHeader.lowercased()] == "true"
                report.pulledBytes += reply.body.count
                report.pullRequests += 1
                if more { next = send(pullRequest(base: base, credential: credential, after: pageCursor)) }
                let events: [Event]
                do { events = try await SyncWire.pullEventsInParallel(reply.body) } catch {
                    throw SyncError(.badAnswer, "The server sent an event that does not check out (\(error)); nothing from that page was stored.")
                }
                if let previous = storing {
                    report.pulled += try await previous.value
                    progress(report.pulled)
                }
                let store = self.store
                patients.formUnion(events.map(\.envelope.patient))
                changed.formUnion(events.lazy.filter(\.envelope.type.changesAnEntity).map(\.envelope.patient))
                storing = Task { try await store.syncState.importPulled(events, cursor: pageCursor) }
                cursor = pageCursor
                guard more else { break }
            }
            if let last = storing {
                storing = nil
                report.pulled += try await last.value
                progress(report.pulled)
            }
        } catch {
            // A page already being stored commits or not as a whole; its count is kept when it committed.
            if let storing, let count = try? await storing.value { report.pulled += count }
            throw error
        }
    }

    func pullRequest(base: URL, credential: String, after cursor: Int64) -> URLRequest {
        var components = URLComponents(url: base.appendingPathComponent(String(SyncWire.eventsPath.dropFirst())), resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "after", value: String(cursor)), URLQueryItem(name: "limit", value: String(SyncWire.maximumPageSize))]
        var request = URLRequest(url: components.url!)
        request.setValue("Bearer \(credential)", forHTTPHeaderField: "Authorization")
        request.setValue(store.identity.storeID, forHTTPHeaderField: SyncWire.storeHeader)
        return request
    }

    /// Starts one exchange (with its retries) that runs while the caller does other work.
    func send(_ request: URLRequest) -> Task<SyncReply, any Error> {
        Task { try await exchange(request) }
    }

    /// Sends with retries and backoff on network errors and 5xx; a 4xx is final and says why.
    func exchange(_ request: URLRequest) async throws -> SyncReply {
        var delay: UInt64 = 200_000_000
        var lastProblem = ""
        for attempt in 1...attempts {
            do {
                let reply = try await transport.send(request)
                switch reply.status {
                case 200..<300: return reply
                case 429:
                    // The server asks to slow down: wait as long as it says (at most a minute), then try again.
                    let wait = min(60, max(1, reply.headers["retry-after"].flatMap(Int.init) ?? 1))
                    lastProblem = "the server asked to slow down (429)"
                    if attempt < attempts { try await Task.sleep(nanoseconds: UInt64(wait) * 1_000_000_000) }
                    continue
                case 401: throw SyncError(.unauthorized, "The server refused this site's credential (401); ask its administrator for a new one and set it again.",
                                          serverCode: .unauthorized)
                case 400..<500:
                    let body = try? JSONDecoder().decode(ErrorBody.self, from: reply.body)
                    throw SyncError(.refused, "The server refused the request: \(body?.message ?? "status \(reply.status)")", serverCode: body?.error)
                default:
                    lastProblem = "the server answered \(reply.status)"
                }
            } catch let error as SyncError {
                throw error
            } catch {
                // A cancelled sync stops here: nothing half-done is recorded, and it is not retried.
                if error is CancellationError || Task.isCancelled { throw CancellationError() }
                // A certificate this machine does not trust will not be trusted on the next try either.
                // (libcurl on Linux reports it as an unknown error whose text names the certificate problem.)
                if let urlError = error as? URLError,
                   (-1206 ... -1200).contains(urlError.code.rawValue) || urlError.localizedDescription.contains("SSL certificate problem") {
                    throw SyncError(.untrustedServer, "The server's https certificate is not trusted on this machine (\(error.localizedDescription)); nothing was sent.")
                }
                lastProblem = "the server could not be reached (\(error.localizedDescription))"
            }
            if attempt < attempts {
                try await Task.sleep(nanoseconds: delay)
                delay *= 2
            }
        }
        throw SyncError(.unavailable, "Sync stopped: \(lastProblem) after \(attempts) attempts. Nothing was lost; sync again later.", retryable: true)
    }
}

extension Task where Success == SyncReply, Failure == any Error {
    /// The exchange's answer; cancelling the caller cancels the exchange too (a started task does not follow its
    /// creator's cancellation by itself).
    var answer: SyncReply {
        get async throws { try await withTaskCancellationHandler { try await value } onCancel: { cancel() } }
    }
}
