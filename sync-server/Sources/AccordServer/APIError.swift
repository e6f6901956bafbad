import AccordSync
import Foundation
import Hummingbird

/// An error that reaches HTTP: a status and a JSON body (`ErrorBody`) that says what is wrong and what to do.
struct APIError: HTTPResponseError {
    let status: HTTPResponse.Status
    let code: APIErrorCode
    let message: String
    /// Seconds to wait, sent as Retry-After (429).
    var retryAfter: Int?
    /// The methods the route answers, sent as Allow (405).
    var allow: String?

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder().encode(ErrorBody(error: code, message: message))
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if let allow { headers[.allow] = allow }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static let unauthorized = APIError(status: .unauthorized, code: .unauthorized,
                                       message: "A valid site credential is required: send 'Authorization: Bearer <credential>' as issued by `accord-server site add`.")
    static func rateLimited(retryAfter seconds: Int) -> APIError {
        APIError(status: .tooManyRequests, code: .rateLimited,
                 message: "Too many requests from this address; wait \(seconds) s and try again.", retryAfter: seconds)
    }
    static func methodNotAllowed(allow methods: [HTTPRequest.Method]) -> APIError {
        let list = methods.map(\.rawValue).joined(separator: ", ")
        return APIError(status: .methodNotAllowed, code: .methodNotAllowed, message: "This route answers \(list) only.", allow: list)
    }
    /// A body whose declared type is not `expected`; a body with no Content-Type is read as `expected`.
    static func requireContentType(_ request: Request, _ expected: String) throws {
        guard let declared = request.headers[.contentType] else { return }
        let type = declared.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard type == expected else {
            throw APIError(status: .unsupportedMediaType, code: .unsupportedMediaType,
                           message: "The body is declared as '\(declared.prefix(80))'; this route reads \(expected).")
        }
    }
    static func badRequest(_ message: String) -> APIError { APIError(status: .badRequest, code: .badRequest, message: message) }
    static func notFound(_ message: String) -> APIError { APIError(status: .notFound, code: .notFound, message: message) }
    static let logEmpty = APIError(status: .notFound, code: .logEmpty,
                                   message: "The audit log is empty; it gets its first checkpoint when the first site is enrolled.")
    static func tooLarge(_ message: String) -> APIError { APIError(status: .contentTooLarge, code: .tooLarge, message: message) }
    static func unsupportedEncoding(_ message: String) -> APIError {
        APIError(status: .unsupportedMediaType, code: .unsupportedEncoding, message: message)
    }
}
