import Foundation
import Hummingbird
import Logging

/// Every route but /health needs a site credential; the site is looked up on each request, so a revocation takes
/// effect at once. A refused credential is logged without the credential itself.
struct SiteAuthentication: RouterMiddleware {
    let repository: any SyncRepository

    func handle(_ request: Request, context: SyncRequestContext, next: (Request, SyncRequestContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              case let credential = String(header.dropFirst(7)), !credential.isEmpty, credential.utf8.count <= 256,
              let site = try await repository.site(credentialSHA256: Credentials.sha256(credential)) else {
            context.logger.notice("refused credential", metadata: ["path": "\(request.uri.path)"])
            let now = ServerClock.nowMilliseconds()
            try await repository.recordRefusedCredential(path: request.uri.path, now: now, remoteAddress: context.remoteAddress?.ipAddress)
            throw APIError.unauthorized
        }
        var context = context
        context.site = site
        context.logger[metadataKey: "site"] = "\(site)"
        return try await next(request, context)
    }
}
