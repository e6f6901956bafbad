import Foundation
import Hummingbird

/// Reads a request's body whole, bounded in size and in time: a body promised by Content-Length and never sent
/// gets 408 after `timeout` instead of holding a connection (and a task) open for minutes.
enum BodyReading {
    /// Nil from the timer's task: time ran out before the body came.
    static func collect(_ request: Request, upTo limit: Int, timeout: Duration, tooLarge: @autoclosure () -> String) async throws -> ByteBuffer {
        let body = request.body
        let outcome: ByteBuffer?
        do {
            outcome = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { try await body.collect(upTo: limit) }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw APIError.tooLarge(tooLarge())
        }
        guard let outcome else {
            throw APIError(status: .requestTimeout, code: .requestTimeout,
                           message: "The request body did not arrive within \(timeout.components.seconds) s; send it whole, promptly.")
        }
        return outcome
    }
}
