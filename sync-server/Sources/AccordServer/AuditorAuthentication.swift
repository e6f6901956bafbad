import Foundation
import Hummingbird
import Logging

/// The audit pages need an auditor's credential (`accord-server auditor add`), sent as a bearer token or as the
/// password of HTTP Basic authentication so a browser can ask for it. Site credentials do not open these pages, and
/// auditor credentials open nothing else.
struct AuditorAuthentication: RouterMiddleware {
    let repository: any SyncRepository
    let refusals: Refusals

    func handle(_ request: Request, context: SyncRequestContext, next: (Request, SyncRequestContext) async throws -> Response) async throws -> Response {
        guard let credential = Self.credential(request.headers[.authorization]), credential.utf8.count <= 256,
              let auditor = try await repository.auditor(credentialSHA256: Credentials.sha256(credential)) else {
            await refusals.note(request, context: context)
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; charset=utf-8"
            // A browser is asked for the credential; a client that sent a bearer token is simply refused.
            if request.headers[.authorization]?.hasPrefix("Bearer ") != true {
                headers[.wwwAuthenticate] = "Basic realm=\"Accord audit\", charset=\"UTF-8\""
            }
            return Response(status: .unauthorized, headers: headers,
                            body: .init(byteBuffer: ByteBuffer(string: "An auditor credential is required (accord-server auditor add NAME).\n")))
        }
        var context = context
        context.auditor = auditor
        return try await next(request, context)
    }

    static func credential(_ header: String?) -> String? {
        guard let header else { return nil }
        if header.hasPrefix("Bearer ") { return String(header.dropFirst(7)) }
        if header.hasPrefix("Basic "), let decoded = Data(base64Encoded: String(header.dropFirst(6))),
           let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") {
            return String(text[text.index(after: colon)...])
        }
        return nil
    }
}
