import AccordCore
import Testing

@Suite("Hybrid logical clock")
struct HybridLogicalClockTests {
    @Test("timestamps keep increasing when the physical clock jumps backwards")
    func backwardsJump() {
        var clock = HybridLogicalClock()
        let first = clock.tick(physical: 10_000)
        let second = clock.tick(physical: 4_000)  // clock reset by an hour, say
        let third = clock.tick(physical: 4_001)
        #expect(first < second && second < third)
        #expect(second.wall == 10_000 && second.logical == 1)
        #expect(third.wall == 10_000 && third.logical == 2)
    }

    @Test("a forward jump is followed at once and never left behind")
    func forwardJump() {
        var clock = HybridLogicalClock()
        _ = clock.tick(physical: 1_000)
        let jumped = clock.tick(physical: 9_000)
        #expect(jumped == HLCTimestamp(wall: 9_000, logical: 0))
        for physical in stride(from: Int64(9_001), to: 9_050, by: 7) {
            #expect(clock.tick(physical: physical).wall >= physical)
        }
    }

    @Test("events stamped in the same millisecond are ordered by the logical counter")
    func sameMillisecond() {
        var clock = HybridLogicalClock()
        let stamps = (0..<5).map { _ in clock.tick(physical: 500) }
        #expect(stamps == stamps.sorted())
        #expect(Set(stamps).count == 5)
    }

    @Test("receiving a remote timestamp orders later local events after it")
    func receive() {
        var clock = HybridLogicalClock()
        _ = clock.tick(physical: 1_000)
        clock.receive(HLCTimestamp(wall: 5_000, logical: 3), physical: 1_001)
        let next = clock.tick(physical: 1_002)
        #expect(next > HLCTimestamp(wall: 5_000, logical: 3))
        clock.receive(HLCTimestamp(wall: 2_000, logical: 0), physical: 1_003)
        #expect(clock.tick(physical: 1_004) > next)
    }

    @Test("random physical readings, jumps included, give strictly increasing timestamps never behind the reading",
          arguments: [1, 2, 3, 4, 5] as [UInt64])
    func randomWalk(seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        var clock = HybridLogicalClock()
        var physical: Int64 = 1_000_000
        var previous = HLCTimestamp.zero
        for _ in 0..<5_000 {
            physical += Int64.random(in: -5_000...5_000, using: &rng)
            let stamp = clock.tick(physical: physical)
            #expect(stamp > previous)
            #expect(stamp.wall >= physical)
            previous = stamp
        }
    }
}
