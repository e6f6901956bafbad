@testable import AccordCore
import AccordStore
import Foundation
import Testing

/// The server confirms pushed bytes with `CanonicalWriter` and asks `JSONEncoder` only when the two differ. A value
/// the writer wrote differently from `JSONEncoder` would let bytes through that no store writes, so the writer must
/// agree with `JSONEncoder` byte for byte on everything an event holds.
@Suite("Canonical writer")
struct CanonicalWriterTests {
    struct Sample: Codable {
        var text: String
        var ratio: Double
        var small: Float
        var count: Int
        var wide: Int64
        var tiny: UInt8
        var flag: Bool
        var missing: String?
        var present: Int?
        var list: [Double]
        var table: [String: Int]
        var nested: [[String]]
    }

    @Test("every kind of event is written byte for byte as JSONEncoder writes it")
    func everyEventAgrees() throws {
        let folder = TemporaryDirectory("canonical")
        defer { folder.remove() }
        let store = try EventStore.create(at: folder.path("home"), site: "north", clinicianName: "Dr. Ana Reyes")
        var rng = SeededGenerator(seed: 7)
        // Events built directly and events the store wrote (with its clock, signature and parents).
        let written = (0..<10).flatMap { _ in EventFixtures.randomHistory(&rng, events: 60) }
            + (try SchemaValidationTests.everyKindWritten(by: store, seed: 7, histories: 10))
        #expect(Set(written.map(\.envelope.type)) == Set(EventType.allCases))
        for event in written {
            #expect(try CanonicalWriter.encode(event.envelope) == event.bytes)
            #expect(CanonicalJSON.isEncoding(event.bytes, of: event.envelope))
        }
    }

    @Test("strings, numbers and containers are written as JSONEncoder writes them")
    func valuesAgree() throws {
        var rng = SeededGenerator(seed: 11)
        let pieces = ["a", "Z", "é", "ß", "漢", "😀", "\u{0}", "\u{1}", "\u{1f}", "\u{7f}", "\u{2028}", "\"", "\\", "/", "\n", "\r", "\t",
                      "\u{8}", "\u{c}", " ", "{", "]", ":", ",", "0", "e", "null"]
        func text() -> String { (0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined() }
        func double() -> Double {
            switch Int.random(in: 0...4, using: &rng) {
            case 0: Double(Int.random(in: -1_000_000...1_000_000, using: &rng))
            case 1: Double(Int.random(in: 0...10_000, using: &rng)) / 100
            case 2: Double.random(in: -1e300...1e300, using: &rng)
            case 3: Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng) & 0x7FEF_FFFF_FFFF_FFFF)
            default: [0.0, -0.0, 0.1, 1e16, 1e-7, 123456789012345680, .leastNonzeroMagnitude, .greatestFiniteMagnitude].randomElement(using: &rng)!
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for _ in 0..<2_000 {
            let sample = Sample(
                text: text(), ratio: double(), small: Float(double() / 1e280), count: Int.random(in: .min ... .max, using: &rng),
                wide: Int64.random(in: .min ... .max, using: &rng), tiny: UInt8.random(in: 0...255, using: &rng),
                flag: Bool.random(using: &rng), missing: Bool.random(using: &rng) ? text() : nil, present: Bool.random(using: &rng) ? 3 : nil,
                list: (0..<Int.random(in: 0...3, using: &rng)).map { _ in double() },
                table: Dictionary((0..<Int.random(in: 0...5, using: &rng)).map { (text(), $0) }, uniquingKeysWith: { first, _ in first }),
                nested: [[text()], [], [text(), text()]])
            #expect(try CanonicalWriter.encode(sample) == encoder.encode(sample), "\(sample)")
        }
    }

    @Test("values JSONEncoder writes its own way are left to it")
    func leavesSpecialTypesToJSONEncoder() throws {
        struct Stamped: Codable { var at: Date; var blob: Data; var link: URL }
        let value = Stamped(at: Date(timeIntervalSince1970: 1_800_000_000), blob: Data([1, 2, 3]), link: URL(string: "https://example.org/a")!)
        #expect(throws: CanonicalWriter.Unsupported.self) { try CanonicalWriter.encode(value) }
        #expect(CanonicalJSON.isEncoding(try CanonicalJSON.encode(value), of: value))
        #expect(throws: CanonicalWriter.Unsupported.self) { try CanonicalWriter.encode(Double.infinity) }
    }

    @Test("bytes that are not the canonical encoding are not taken for it")
    func refusesOtherForms() throws {
        let event = EventFixtures.event(patient: EventFixtures.uuidZero, wall: 1_790_000_000_000, .noteAdded(NoteAdded(text: "walks / day")))
        let text = String(decoding: event.bytes, as: UTF8.self)
        for other in [text.replacingOccurrences(of: ",", with: ", "), text.replacingOccurrences(of: "/", with: "\\/"),
                      text.replacingOccurrences(of: "}", with: ",\"extra\":1}"), " " + text] {
            #expect(!CanonicalJSON.isEncoding(Data(other.utf8), of: event.envelope), "\(other)")
        }
    }
}
