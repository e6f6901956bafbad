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

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try JSONEncoder().encode(ErrorBody(error: code, message: message))
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static let unauthorized = APIError(status: .unauthorized, code: .unauthorized,
                                       message: "A valid site credential is required: send 'Authorization: Bearer <credential>' as issued by `accord-server site add`.")
    static func rateLimited(retryAfter seconds: Int) -> APIError {
        APIError(status: .tooManyRequests, code: .rateLimited,
                 message: "Too many requests from this address; wait \(seconds) s and try again.", retryAfter: seconds)
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
