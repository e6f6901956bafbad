import AccordCore
import AccordSync
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
