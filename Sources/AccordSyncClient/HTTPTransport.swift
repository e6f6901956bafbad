import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// An HTTP answer as the sync client reads it.
public struct SyncReply: Sendable {
    /// The HTTP status code.
    public var status: Int
    /// Header names in lowercase.
    public var headers: [String: String]
    /// The body as received.
    public var body: Data

    /// An answer with `status`, `headers` (names in lowercase) and `body`.
    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// How the sync client reaches the server: one request, one answer. `URLSessionTransport` is the real one; tests
/// and apps may supply their own (a recording fake, a background session). Cancelling the calling task cancels
/// the request.
public protocol SyncTransport: Sendable {
    func send(_ request: URLRequest) async throws -> SyncReply
}

/// One HTTP exchange, with URLSession (libcurl on Linux).
public struct URLSessionTransport: SyncTransport {
    let session: URLSession

    /// A transport whose requests give up after `timeout` seconds, with no cache and no cookies.
    public init(timeout: TimeInterval = 30) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.httpMaximumConnectionsPerHost = 2
        // Sync answers are never reused: no response cache (it opens a folder per request) and no cookies.
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        session = URLSession(configuration: configuration)
    }

    /// Sends `request`; cancelling the calling task cancels it.
    public func send(_ request: URLRequest) async throws -> SyncReply {
        let box = TaskBox()
        return try await withTaskCancellationHandler {
            try Task.checkCancellation()
            return try await withCheckedThrowingContinuation { continuation in
                let task = session.dataTask(with: request) { data, response, error in
                    if let error { return continuation.resume(throwing: error) }
                    guard let http = response as? HTTPURLResponse else {
                        return continuation.resume(throwing: URLError(.badServerResponse))
                    }
                    var headers: [String: String] = [:]
                    for (key, value) in http.allHeaderFields {
                        if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
                    }
                    continuation.resume(returning: SyncReply(status: http.statusCode, headers: headers, body: data ?? Data()))
                }
                box.set(task)
                task.resume()
            }
        } onCancel: {
            box.cancel()
        }
    }
}

/// The request in flight, so a cancellation arriving from another thread can stop it.
private final class TaskBox: @unchecked Sendable {
    private let lock = NSLock()
    private var task: URLSessionDataTask?
    private var cancelled = false

    func set(_ task: URLSessionDataTask) {
        let cancelNow = lock.withLock { () -> Bool in
            self.task = task
            return cancelled
        }
        if cancelNow { task.cancel() }
    }

    func cancel() {
        let task = lock.withLock { () -> URLSessionDataTask? in
            cancelled = true
            return self.task
        }
        task?.cancel()
    }
}
