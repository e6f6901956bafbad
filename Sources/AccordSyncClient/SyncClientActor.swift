import AccordCore
import AccordLog
import AccordStore
import AccordSync
import Foundation

/// The site's side of sync, one sync at a time: a second call while one runs waits for it and gets its report.
/// Progress goes to every `progressUpdates()` stream as batches and pages complete. Cancelling the task that
/// called `sync()` stops the sync; what was acknowledged or stored stays, nothing half-done is recorded.
public actor SyncClient {
    let engine: SyncEngine
    var running: Task<SyncReport, any Error>?
    private var observers: [UUID: AsyncStream<SyncProgress>.Continuation] = [:]

    /// A client for `store`, through `transport` (URLSession when nil), with the credential from `credentials` (the
    /// store's when nil), pushes of at most `batchSize` events and `attempts` tries per request.
    public init(store: EventStore, transport: (any SyncTransport)? = nil, credentials: (any SyncCredentialStore)? = nil,
                batchSize: Int = SyncWire.maximumBatch, attempts: Int = 5, timeout: TimeInterval = 30) {
        engine = SyncEngine(store: store, transport: transport, credentials: credentials, batchSize: batchSize, attempts: attempts,
                            timeout: timeout)
    }

    /// Sends this site's new events, then fetches what was written elsewhere. `progress` hears of each batch and
    /// page of this call, as `progressUpdates()` streams do.
    public func sync(progress: @escaping @Sendable (SyncProgress) -> Void = { _ in }) async throws -> SyncReport {
        if let running { return try await running.value }
        let engine = self.engine
        let observers = observers.map(\.value)
        let task = Task {
            try await engine.sync { update in
                progress(update)
                for observer in observers { observer.yield(update) }
            }
        }
        running = task
        defer { running = nil }
        return try await withTaskCancellationHandler { try await task.value } onCancel: { task.cancel() }
    }

    /// Progress of every sync started from now on, until the consumer stops listening.
    public func progressUpdates() -> AsyncStream<SyncProgress> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<SyncProgress>.makeStream(bufferingPolicy: .bufferingNewest(16))
        observers[id] = continuation
        continuation.onTermination = { [weak self] _ in Task { await self?.stopObserving(id) } }
        return stream
    }

    /// Checks a patient's entries: bytes, signatures, and inclusion proofs from the server's audit log.
    public func verify(_ events: [Event], witnesses: [WitnessKey] = [], required: Int = 0) async throws -> [EventVerification] {
        try await engine.verify(events, witnesses: witnesses, required: required)
    }

    /// The longest prefix of `items` whose gzip body fits one push request, with that body.
    public static func compressedBatch(_ items: [SyncWire.Item]) -> (items: [SyncWire.Item], body: Data) {
        SyncEngine.compressedBatch(items)
    }

    /// The most a compressed push body holds.
    public static var pushBodyBytes: Int { SyncEngine.pushBodyBytes }

    private func stopObserving(_ id: UUID) { observers[id] = nil }
}
