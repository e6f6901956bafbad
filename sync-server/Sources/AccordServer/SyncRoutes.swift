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
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: configuration.maximumBodyBytes)
        } catch {
            throw APIError.tooLarge("The request body is over \(configuration.maximumBodyBytes) bytes; send fewer events per request.")
        }
        let lines = SyncWire.pushLines(Data(buffer.readableBytesView))
        guard !lines.isEmpty else { throw APIError.badRequest("The body holds no events; send one '<id> <event bytes>' line per event.") }
        guard lines.count <= configuration.maximumBatch else {
            throw APIError.tooLarge("A push holds at most \(configuration.maximumBatch) events; this one has \(lines.count). Send smaller batches.")
        }
        let now = ServerClock.nowMilliseconds()
        let checked = await PushCheck.checkAll(lines, site: site, now: now, maximumSkew: configuration.maximumClockSkewMilliseconds)
        let result = try await repository.push(checked, from: site, now: now, remoteAddress: context.remoteAddress?.ipAddress)
        context.logger.info("push", metadata: ["accepted": "\(result.accepted.count)", "rejected": "\(result.rejected.count)"])
        let data = try JSONEncoder().encode(result)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
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
        let page = try await repository.pull(site: site, after: after, limit: limit, now: now, remoteAddress: context.remoteAddress?.ipAddress)
        context.logger.info("pull", metadata: ["events": "\(page.bodies.count)"])
        var headers = HTTPFields()
        headers[.contentType] = SyncWire.contentType
        headers[HTTPField.Name(SyncWire.cursorHeader)!] = String(page.cursor)
        headers[HTTPField.Name(SyncWire.moreHeader)!] = page.more ? "true" : "false"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: SyncWire.pullBody(page.bodies))))
    }
}
