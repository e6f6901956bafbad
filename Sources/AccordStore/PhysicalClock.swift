import Foundation

/// Where the store reads the time of day, in milliseconds since the Unix epoch. Tests inject one that jumps.
public struct PhysicalClock: Sendable {
    /// Milliseconds since the Unix epoch.
    public let now: @Sendable () -> Int64

    /// A clock that reads `now`.
    public init(_ now: @escaping @Sendable () -> Int64) { self.now = now }

    /// The system's wall clock.
    public static let system = PhysicalClock { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
