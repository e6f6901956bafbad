import Foundation

/// The server's wall clock in milliseconds since 1970, as events, log entries and checkpoints record time.
enum ServerClock {
    static func nowMilliseconds() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
