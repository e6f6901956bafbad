import Foundation
import Hummingbird

/// Requests allowed per address: a token bucket refilled at `rate` per second up to `burst`. A request costs one
/// token, a refused credential `refusalCost` more, so a flood of bad credentials is slowed first. Addresses idle long
/// enough to be full again are forgotten.
actor RateLimiter {
    private struct Bucket { var tokens: Double; var updated: Double }
    let rate: Double
    let burst: Double
    let refusalCost: Double
    private var buckets: [String: Bucket] = [:]

    init(rate: Double, burst: Int, refusalCost: Int = 10) {
        self.rate = rate
        self.burst = Double(max(1, burst))
        self.refusalCost = Double(refusalCost)
    }

    /// Takes `cost` tokens for `address`; nil when allowed, else the seconds to wait before asking again.
    func take(_ address: String, cost: Double = 1, now: Double = Date().timeIntervalSince1970) -> Int? {
        guard rate > 0 else { return nil }
        var bucket = buckets[address] ?? Bucket(tokens: burst, updated: now)
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        defer {
            buckets[address] = bucket
            if buckets.count > 10_000 { forgetIdle(now: now) }
        }
        guard bucket.tokens >= 1 else { return max(1, Int(((1 - bucket.tokens) / rate).rounded(.up))) }
        bucket.tokens -= cost
        return nil
    }

    /// Charges a refused credential.
    func refused(_ address: String) {
        _ = take(address, cost: refusalCost)
    }

    private func forgetIdle(now: Double) {
        buckets = buckets.filter { $0.value.tokens + (now - $0.value.updated) * rate < burst }
    }
}

/// Answers 429 with Retry-After to an address past its rate, on every route, before anything else is done.
struct RateLimiting: RouterMiddleware {
    let limiter: RateLimiter

    func handle(_ request: Request, context: SyncRequestContext, next: (Request, SyncRequestContext) async throws -> Response) async throws -> Response {
        if let wait = await limiter.take(context.remoteAddress?.ipAddress ?? "unknown") {
            throw APIError.rateLimited(retryAfter: wait)
        }
        return try await next(request, context)
    }
}

/// What a refused credential costs: counted in the audit log's summaries, charged to the address's rate, and one
/// short line in the server's log (the route family, never the path).
struct Refusals: Sendable {
    let ledger: RefusalLedger
    let limiter: RateLimiter

    func note(_ request: Request, context: SyncRequestContext) async {
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        let credential = request.headers[.authorization].map { String($0.drop { $0 != " " }.dropFirst().prefix(64)) }
        context.logger.notice("refused credential", metadata: ["route": "\(RefusalLedger.route(of: request.uri.path))"])
        await limiter.refused(address)
        await ledger.note(address: address, credential: credential, path: request.uri.path, now: ServerClock.nowMilliseconds())
    }
}
