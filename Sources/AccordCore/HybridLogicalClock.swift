/// A hybrid logical clock timestamp (Kulkarni et al., OPODIS 2014): `wall` is milliseconds since the Unix epoch,
/// never behind the physical clock that produced it; `logical` orders events within one millisecond.
public struct HLCTimestamp: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch.
    public var wall: Int64
    /// A counter for events within one millisecond.
    public var logical: Int32

    /// A timestamp.
    public init(wall: Int64, logical: Int32) {
        self.wall = wall
        self.logical = logical
    }

    /// Before every event.
    public static let zero = HLCTimestamp(wall: 0, logical: 0)

    /// Ordered by wall time, then by the counter.
    public static func < (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool {
        (lhs.wall, lhs.logical) < (rhs.wall, rhs.logical)
    }

    /// `wall.logical`.
    public var description: String { "\(wall).\(logical)" }
}

/// The clock a site stamps its events with. Pure: the physical time is passed in, so tests can make it jump,
/// and the store persists `last` so the clock stays monotonic across restarts.
public struct HybridLogicalClock: Sendable, Equatable {
    /// The latest timestamp issued or seen.
    public private(set) var last: HLCTimestamp

    /// A clock that has issued or seen `last`.
    public init(last: HLCTimestamp = .zero) {
        self.last = last
    }

    /// Stamps a local event: later than every timestamp seen so far and not behind `physical`.
    public mutating func tick(physical: Int64) -> HLCTimestamp {
        if physical > last.wall {
            last = HLCTimestamp(wall: physical, logical: 0)
        } else {
            last = HLCTimestamp(wall: last.wall, logical: last.logical + 1)
        }
        return last
    }

    /// Takes in a timestamp from another site, so that whatever this site writes next is ordered after it.
    public mutating func receive(_ remote: HLCTimestamp, physical: Int64) {
        let wall = max(last.wall, remote.wall, physical)
        let logical: Int32
        if wall == last.wall && wall == remote.wall {
            logical = max(last.logical, remote.logical) + 1
        } else if wall == last.wall {
            logical = last.logical + 1
        } else if wall == remote.wall {
            logical = remote.logical + 1
        } else {
            logical = 0
        }
        last = HLCTimestamp(wall: wall, logical: logical)
    }
}
