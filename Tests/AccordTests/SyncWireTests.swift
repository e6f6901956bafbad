import AccordCore
import AccordSync
@testable import AccordServer
import AccordSyncClient
import Foundation
import Testing

@Suite("Sync wire format")
struct SyncWireTests {
    static func item(_ size: Int, signed: Bool) -> SyncWire.Item {
        let bytes = Data(repeating: UInt8(ascii: "x"), count: size)
        return SyncWire.Item(id: EventID(hashing: bytes), bytes: bytes, signature: signed ? Data(repeating: 7, count: 64) : nil)
    }

    @Test("a line's length is what the push body spends on it, signed or not")
    func lineLength() {
        for item in [Self.item(1, signed: false), Self.item(344, signed: true), Self.item(10_000, signed: false)] {
            #expect(SyncWire.lineLength(item) == SyncWire.pushBody([item]).count)
            #expect(SyncWire.pullLineLength(bytes: item.bytes, signature: item.signature) == SyncWire.pullBody([(item.bytes, item.signature)]).count)
        }
    }

    @Test("a batch is cut where its body would pass the limit, and an event too big alone still goes alone")
    func fittingBody() {
        let items = (0..<10).map { Self.item(1000, signed: $0.isMultiple(of: 2)) }
        let limit = 5000
        let fitted = SyncWire.fittingBody(items, maximumBytes: limit)
        #expect(SyncWire.pushBody(fitted).count <= limit)
        #expect(SyncWire.pushBody(Array(items.prefix(fitted.count + 1))).count > limit)
        #expect(fitted.map(\.id) == items.prefix(fitted.count).map(\.id))
        #expect(SyncWire.fittingBody(items, maximumBytes: 10).count == 1)
        #expect(SyncWire.fittingBody([], maximumBytes: 10).isEmpty)
        #expect(SyncWire.fittingBody(items).count == items.count)
    }
}

@Suite("Gzip push bodies")
struct GzipTests {
    static func randomBytes(_ count: Int) -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    @Test("what is compressed inflates to the same bytes: empty, text, random, and bigger than one inflate chunk")
    func roundTrip() throws {
        let text = Data(String(repeating: "Walked to the corner shop twice this week. ", count: 5000).utf8)
        for data in [Data(), Data("x".utf8), text, Self.randomBytes(200_000)] {
            let compressed = Gzip.compress(data)
            #expect(compressed.starts(with: [0x1f, 0x8b]), "a gzip header")
            #expect(try Gzip.decompress(compressed, limit: data.count) == data)
        }
        #expect(Gzip.compress(text).count * 20 < text.count)
    }

    @Test("refused: more output than the limit, a stream cut short, bytes after its end, and what is not gzip")
    func refusals() {
        let compressed = Gzip.compress(Data(repeating: 0, count: 1_000_000))
        #expect(throws: Gzip.Failure.tooLarge) { try Gzip.decompress(compressed, limit: 999_999) }
        #expect(throws: Gzip.Failure.malformed) { try Gzip.decompress(compressed.prefix(compressed.count - 4), limit: 2_000_000) }
        #expect(throws: Gzip.Failure.malformed) { try Gzip.decompress(compressed + Data("extra".utf8), limit: 2_000_000) }
        #expect(throws: Gzip.Failure.malformed) { try Gzip.decompress(Data("plain text, not gzip".utf8), limit: 100) }
        #expect(throws: Gzip.Failure.malformed) { try Gzip.decompress(Data(), limit: 100) }
    }
}

@Suite("Push batches")
struct PushBatchTests {
    @Test("a batch is the longest prefix whose gzip body fits the client's 64 KiB, one event at least")
    func compressedBatch() throws {
        let random = (0..<300).map { _ in SyncWireTests.item(0, signed: false) }.map { _ in
            let bytes = GzipTests.randomBytes(1000)
            return SyncWire.Item(id: EventID(hashing: bytes), bytes: bytes, signature: nil)
        }
        let (cut, body) = SyncClient.compressedBatch(random)
        #expect(body.count <= SyncClient.pushBodyBytes && cut.count > 40 && cut.count < 66)
        #expect(try Gzip.decompress(body, limit: 1 << 20) == SyncWire.pushBody(cut))
        #expect(cut.map(\.id) == random.prefix(cut.count).map(\.id))
        let notes = (0..<1000).map { SyncWireTests.item(300 + $0 % 7, signed: $0.isMultiple(of: 3)) }
        #expect(SyncClient.compressedBatch(notes).items.count == 1000)
        let huge = GzipTests.randomBytes(100_000)
        let alone = SyncClient.compressedBatch([SyncWire.Item(id: EventID(hashing: huge), bytes: huge, signature: nil)] + random)
        #expect(alone.items.count == 1 && alone.body.count > SyncClient.pushBodyBytes)
    }
}

@Suite("Pull pages")
struct PullPageTests {
    static func fill(_ builder: inout PullPageBuilder, _ sizes: [Int]) {
        for (index, size) in sizes.enumerated() {
            guard builder.add(seq: Int64(index + 1), body: Data(repeating: 120, count: size), signature: nil, patient: "p\(index % 2)") else { return }
        }
    }

    @Test("a page ends at the count asked for or before its lines pass the byte limit, one event at least")
    func limits() {
        var counted = PullPageBuilder(after: 0, limit: 3)
        Self.fill(&counted, [10, 10, 10, 10])
        #expect(counted.page.bodies.count == 3 && counted.page.more && counted.page.cursor == 3 && counted.counts == ["p0": 2, "p1": 1])
        var sized = PullPageBuilder(after: 0, limit: 100, maximumBytes: 1000)
        Self.fill(&sized, [300, 300, 300, 300])
        #expect(sized.page.bodies.count == 3 && sized.page.more && sized.page.cursor == 3)
        #expect(SyncWire.pullBody(sized.page.bodies).count <= 1000)
        var huge = PullPageBuilder(after: 7, limit: 100, maximumBytes: 1000)
        Self.fill(&huge, [5000, 10])
        #expect(huge.page.bodies.count == 1 && huge.page.more)
        var short = PullPageBuilder(after: 7, limit: 100)
        Self.fill(&short, [10, 10])
        #expect(short.page.bodies.count == 2 && !short.page.more && short.page.cursor == 2)
        let empty = PullPageBuilder(after: 7, limit: 100)
        #expect(empty.page.bodies.isEmpty && !empty.page.more && empty.page.cursor == 7)
    }
}
