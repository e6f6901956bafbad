import AccordSync
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// The sync API (`schema/openapi.yaml`): push to and pull from /v1/events.
struct SyncRoutes {
    let repository: any SyncRepository
    let configuration: SyncServerConfiguration

    func push(_ request: Request, context: SyncRequestContext) async throws -> Response {
        guard let site = context.site else { throw APIError.unauthorized }
        try APIError.requireContentType(request, SyncWire.contentType)
        let buffer = try await BodyReading.collect(request, upTo: configuration.maximumBodyBytes, timeout: configuration.bodyTimeout,
                                                   tooLarge: "The request body is over \(configuration.maximumBodyBytes) bytes; send fewer events per request.")
        let lines = SyncWire.pushLines(try body(Data(buffer.readableBytesView), encoding: request.headers[.contentEncoding]))
        guard !lines.isEmpty else { throw APIError.badRequest("The body holds no events; send one '<id> <event bytes>' line per event.") }
        guard lines.count <= configuration.maximumBatch else {
            throw APIError.tooLarge("A push holds at most \(configuration.maximumBatch) events; this one has \(lines.count). Send smaller batches.")
        }
        let now = ServerClock.nowMilliseconds()
        let checked = await PushCheck.checkAll(lines, site: site, now: now, maximumSkew: configuration.maximumClockSkewMilliseconds)
        let since = try request.logSizeSince()  // read before anything is stored: a bad value writes nothing
        var result = try await repository.push(checked, from: site, store: try storeID(request), now: now, remoteAddress: context.remoteAddress?.ipAddress)
        if let since { result.log = await logAnswer(since: since) }
        context.logger.info("push", metadata: ["accepted": "\(result.accepted.count)", "rejected": "\(result.rejected.count)"])
        let data = try JSONEncoder().encode(result)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The checkpoint now and its consistency with the log of size `since`, for the push's answer. Left out when the
    /// log is smaller than `since` or cannot be read just now: the events are stored either way, and the site then
    /// asks for the checkpoint itself, where such a log is reported.
    func logAnswer(since: Int) async -> CheckpointAnswer? {
        guard let checkpoint = try? await repository.latestCheckpoint(), since <= checkpoint.size,
              let consistency = try? await repository.consistency(from: since, to: checkpoint.size) else { return nil }
        return CheckpointAnswer(checkpoint: checkpoint, consistency: consistency)
    }

    /// The syncing store's id from its header, when sent: a pull leaves out the events that store pushed. Without
    /// one, a pull gives every event of the site's feed (a client that keeps each event once is still correct).
    func storeID(_ request: Request) throws -> String? {
        guard let value = request.headers[HTTPField.Name(SyncWire.storeHeader)!] else { return nil }
        guard SyncWire.isValidStoreID(value) else {
            throw APIError.badRequest("The \(SyncWire.storeHeader) header must be the store's id: 8 to 64 lowercase hex digits and dashes.")
        }
        return value
    }

    /// The push body as sent: plain, or gzip (inflated here, within the same limit as a plain body).
    func body(_ data: Data, encoding: String?) throws -> Data {
        switch encoding?.lowercased() {
        case nil, "identity": return data
        case "gzip":
            do { return try Gzip.decompress(data, limit: configuration.maximumBodyBytes) } catch .tooLarge {
                throw APIError.tooLarge("The gzip body inflates past \(configuration.maximumBodyBytes) bytes; send fewer events per request.")
            } catch {
                throw APIError.badRequest("The body is marked gzip but is not a complete gzip stream; send it compressed whole, or uncompressed without Content-Encoding.")
            }
        case let other?:
            throw APIError.unsupportedEncoding("Content-Encoding '\(other)' is not accepted; send the body uncompressed or as gzip.")
        }
    }

    func pull(_ request: Request, context: SyncRequestContext) async throws -> Response {
        guard let site = context.site else { throw APIError.unauthorized }
        let query = request.uri.queryParameters
        let after: Int64
        if let text = query["after"] {
            guard let value = Int64(String(text)), value >= 0 else { throw APIError.badRequest("'after' must be a cursor: a whole number, 0 or more.") }
            after = value
        } else {
            after = 0
        }
        var limit = SyncWire.defaultPageSize
        if let text = query["limit"] {
            guard let value = Int(String(text)), (1...SyncWire.maximumPageSize).contains(value) else {
                throw APIError.badRequest("'limit' must be 1 to \(SyncWire.maximumPageSize).")
            }
            limit = value
        }
        let now = ServerClock.nowMilliseconds()
        let page = try await repository.pull(site: site, store: try storeID(request), after: after, limit: limit, now: now,
                                             remoteAddress: context.remoteAddress?.ipAddress)
        context.logger.info("pull", metadata: ["events": "\(page.bodies.count)"])
        var headers = HTTPFields()
        headers[.contentType] = SyncWire.contentType
        headers[HTTPField.Name(SyncWire.cursorHeader)!] = String(page.cursor)
        headers[HTTPField.Name(SyncWire.moreHeader)!] = page.more ? "true" : "false"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: SyncWire.pullBody(page.bodies))))
    }
}
