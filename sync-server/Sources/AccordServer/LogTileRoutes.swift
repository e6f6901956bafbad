import AccordLog
import Foundation
import HTTPTypes
import Hummingbird

/// The audit log for outside verifiers, behind the auditor credential: `/audit/log/checkpoint` (the C2SP signed note)
/// and `/audit/log/tile/...` (C2SP tiles and entry bundles). Full tiles never change and may be cached for good;
/// partial tiles and the checkpoint may not. Reads of entry bundles, which name patients' record ids, are logged.
struct LogTileRoutes {
    static let prefix = "log"
    let repository: any SyncRepository

    func checkpoint(_ request: Request, context: SyncRequestContext) async throws -> Response {
        guard let (text, _) = try await LogArchive.note(repository) else { throw APIError.logEmpty }
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    func tile(_ request: Request, context: SyncRequestContext) async throws -> Response {
        let path = "tile/" + context.parameters.getCatchAll().joined(separator: "/")
        guard let tile = LogTiles.Tile(path: path) else {
            throw APIError.notFound("'\(path.prefix(80))' is not a tile path (tile/L/N[.p/W] or tile/entries/N[.p/W], N as in x001/234).")
        }
        guard let size = try await repository.latestCheckpoint()?.size,
              let data = try await LogArchive.tile(tile, size: size, repository) else {
            throw APIError.notFound("The log holds no \(tile.path) yet.")
        }
        if tile.level == nil {
            try await repository.recordRead(RecordRead(site: nil, actor: context.auditor, patient: nil, outcome: "ok",
                                                       detail: "log \(tile.path)", now: ServerClock.nowMilliseconds(),
                                                       remoteAddress: context.remoteAddress?.ipAddress))
        }
        var headers = HTTPFields()
        headers[.contentType] = "application/octet-stream"
        headers[.cacheControl] = tile.width == LogTiles.width ? "private, max-age=31536000, immutable" : "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

}
