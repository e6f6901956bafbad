import AccordCore
import AccordLog
import AccordSync
import Foundation
import HTTPTypes
import Hummingbird

/// The audit log as sites see it: the latest signed checkpoint, an inclusion proof for one of their events, and the
/// consistency proof between two checkpoints.
struct LogRoutes {
    let repository: any SyncRepository
    let bodyTimeout: Duration

    static func json<T: Encodable>(_ value: T) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// A site's notice that it pinned the log anew (`accord remote repin`), written to the audit log. The checkpoint
    /// it accepts must be one this server signed, no larger than its log.
    func repin(_ request: Request, context: SyncRequestContext) async throws -> Response {
        guard let site = context.site else { throw APIError.unauthorized }
        try APIError.requireContentType(request, "application/json")
        let buffer = try await BodyReading.collect(request, upTo: 8192, timeout: bodyTimeout, tooLarge: "A re-pin notice is at most 8192 bytes.")
        guard let notice = try? JSONDecoder().decode(RepinNotice.self, from: Data(buffer.readableBytesView)),
              SyncWire.isValidStoreID(notice.store), (1...200).contains(notice.clinician.count) else {
            throw APIError.badRequest("The body must be JSON: {\"from\": checkpoint or absent, \"to\": checkpoint, \"store\": store id, \"clinician\": name}.")
        }
        guard let latest = try await repository.latestCheckpoint(), notice.to.key == latest.key, notice.to.size <= latest.size else {
            throw APIError.badRequest("The checkpoint to pin is not one this server signed; fetch \(SyncWire.checkpointPath) and pin that.")
        }
        try await repository.recordRepin(notice, site: site, now: ServerClock.nowMilliseconds(), remoteAddress: context.remoteAddress?.ipAddress)
        return try Self.json(latest)
    }

    /// With `?since=N` (the size a site verified last), the consistency proof comes in the same answer: one round
    /// trip per check.
    func checkpoint(_ request: Request, context: SyncRequestContext) async throws -> Response {
        guard context.site != nil else { throw APIError.unauthorized }
        if request.uri.queryParameters["cosigned"] != nil { return try await cosigned() }
        guard let checkpoint = try await repository.latestCheckpoint() else {
            throw APIError.logEmpty
        }
        guard let since = try request.logSizeSince() else { return try Self.json(checkpoint) }
        guard since <= checkpoint.size else {
            // The site saw a bigger log than the server now has: answer with the checkpoint alone, so the site can say
            // plainly that the log went back.
            return try Self.json(checkpoint)
        }
        do {
            return try Self.json(CheckpointAnswer(checkpoint: checkpoint, consistency: try await repository.consistency(from: since, to: checkpoint.size)))
        } catch let error as ServerError {
            throw APIError.badRequest(error.message)
        }
    }


    /// `?cosigned`: the latest checkpoint any witness cosigned, its note carrying the cosignatures, for a site that
    /// requires them (`accord verify --witness`).
    func cosigned() async throws -> Response {
        guard let size = try await repository.latestCosignedSize(), let stored = try await repository.checkpoint(size: size) else {
            throw APIError.notFound("No checkpoint of this log has been cosigned by a witness yet.")
        }
        var checkpoint = try LogArchive.noted(stored, key: repository.signingKey)
        checkpoint.note = (checkpoint.note ?? "") + (try await repository.cosignatures(size: size)).joined()
        return try Self.json(checkpoint)
    }

    func inclusion(_ request: Request, context: SyncRequestContext) async throws -> Response {
        guard let site = context.site else { throw APIError.unauthorized }
        guard let event = request.uri.queryParameters["event"].map(String.init), event.utf8.count == 64,
              event.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw APIError.badRequest("Give the event as ?event=<its 64-hex-digit id>.")
        }
        guard let (proof, checkpoint) = try await repository.inclusion(event: event, site: site) else {
            throw APIError.notFound("No event with this id is in the log for a patient shared with your site.")
        }
        return try Self.json(InclusionAnswer(proof: proof, checkpoint: checkpoint))
    }

    func consistency(_ request: Request, context: SyncRequestContext) async throws -> Response {
        guard context.site != nil else { throw APIError.unauthorized }
        let query = request.uri.queryParameters
        guard let from = query["from"].flatMap({ Int(String($0)) }), let to = query["to"].flatMap({ Int(String($0)) }) else {
            throw APIError.badRequest("Give two tree sizes: ?from=OLD&to=NEW, NEW the size of a signed checkpoint.")
        }
        do {
            return try Self.json(try await repository.consistency(from: from, to: to))
        } catch let error as ServerError {
            throw APIError.badRequest(error.message)
        }
    }
}

/// `POST /v1/keys`: a site registers its clinician's public key; an administrator approves it.
struct KeyRoutes {
    let repository: any SyncRepository
    let bodyTimeout: Duration
    let maximumBodyBytes = 4096

    func register(_ request: Request, context: SyncRequestContext) async throws -> Response {
        guard let site = context.site else { throw APIError.unauthorized }
        try APIError.requireContentType(request, "application/json")
        let buffer = try await BodyReading.collect(request, upTo: maximumBodyBytes, timeout: bodyTimeout,
                                                   tooLarge: "A key registration is at most \(maximumBodyBytes) bytes.")
        guard let registration = try? JSONDecoder().decode(KeyRegistration.self, from: Data(buffer.readableBytesView)) else {
            throw APIError.badRequest("The body must be JSON: {\"publicKey\": base64, \"clinicianId\": uuid, \"clinicianName\": text}.")
        }
        guard let raw = Data(base64Encoded: registration.publicKey), raw.count == 32 else {
            throw APIError.badRequest("publicKey must be the raw 32-byte Ed25519 public key, base64.")
        }
        guard Identifiers.isValid(registration.clinicianId), (1...200).contains(registration.clinicianName.count) else {
            throw APIError.badRequest("clinicianId must be a lowercase UUID and clinicianName 1 to 200 characters.")
        }
        let now = ServerClock.nowMilliseconds()
        do {
            let info = try await repository.registerKey(registration, site: site, now: now, remoteAddress: context.remoteAddress?.ipAddress)
            return try LogRoutes.json(info)
        } catch let error as ServerError {
            throw APIError(status: .conflict, code: .conflict, message: error.message)
        }
    }
}

extension Request {
    /// `?since=N` on a checkpoint or push request: the log size the site verified last; nil when absent, a 400 when
    /// it is not a size.
    func logSizeSince() throws -> Int? {
        guard let text = uri.queryParameters["since"] else { return nil }
        guard let since = Int(String(text)), since >= 0 else { throw APIError.badRequest("'since' must be a log size, 0 or more.") }
        return since
    }
}
