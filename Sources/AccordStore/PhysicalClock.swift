import Foundation

/// Where the store reads the time of day, in milliseconds since the Unix epoch. Tests inject one that jumps.
public struct PhysicalClock: Sendable {
    public let now: @Sendable () -> Int64

    public init(_ now: @escaping @Sendable () -> Int64) { self.now = now }

    public static let system = PhysicalClock { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
