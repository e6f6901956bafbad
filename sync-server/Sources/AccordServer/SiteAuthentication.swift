import Foundation
import Hummingbird
import Logging

/// Every route but /health needs a site credential; the site is looked up on each request, so a revocation takes
/// effect at once. A refused credential is counted (`RefusalLedger`) and charged to the address's rate; neither the
/// credential nor the path is logged.
struct SiteAuthentication: RouterMiddleware {
    let repository: any SyncRepository
    let refusals: Refusals

    func handle(_ request: Request, context: SyncRequestContext, next: (Request, SyncRequestContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              case let credential = String(header.dropFirst(7)), !credential.isEmpty, credential.utf8.count <= 256,
              let site = try await repository.site(credentialSHA256: Credentials.sha256(credential)) else {
            await refusals.note(request, context: context)
            throw APIError.unauthorized
        }
        var context = context
        context.site = site
        context.logger[metadataKey: "site"] = "\(site)"
        return try await next(request, context)
    }
}
