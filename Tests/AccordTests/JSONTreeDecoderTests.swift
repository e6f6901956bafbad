import AccordCore
import Foundation
import Testing

/// The event decoder must read exactly what Foundation's JSONDecoder reads: every site decodes the same bytes.
@Suite("JSON tree decoder")
struct JSONTreeDecoderTests {
    struct Sample: Codable, Equatable {
        var text: String
        var count: Int
        var small: Int32
        var ratio: Double
        var flag: Bool
        var names: [String]
        var nested: Nested?
        var missing: String?

        struct Nested: Codable, Equatable {
            var dose: Double
            var steps: [Int]
        }
    }

    @Test("every event of random histories decodes to the same envelope as with JSONDecoder")
    func eventsAgree() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<20 {
            for event in EventFixtures.randomHistory(&rng, events: 60) {
                let tree = try JSONTreeDecoder().decode(EventEnvelope.self, from: event.bytes)
                let foundation = try JSONDecoder().decode(EventEnvelope.self, from: event.bytes)
                #expect(tree == foundation)
                #expect(try CanonicalJSON.encode(tree) == event.bytes)
            }
        }
    }

    @Test("values JSON allows read the same as with JSONDecoder", arguments: [
        #"{"text":"plain","count":3,"small":-7,"ratio":2.5,"flag":true,"names":[],"nested":null}"#,
        #"{"text":"q\"b\\s\/n\nt\tu\u00e9 \ud83d\ude00 é","count":-0,"small":2147483647,"ratio":1e-3,"flag":false,"names":["a","b"]}"#,
        " {\n\t\"text\" : \"\" , \"count\" : 1e2 , \"small\" : 0 , \"ratio\" : -0.0 , \"flag\" : false , \"names\" : [ \"x\" ] ,\r\n \"nested\" : { \"dose\" : 60 , \"steps\" : [ 1 , 2 ] } } ",
        #"{"text":"x","count":4.0,"small":1,"ratio":6,"flag":true,"names":["é"],"extra":{"ignored":[1,{"deep":null}]}}"#,
    ])
    func agreesOnValidInput(json: String) throws {
        let data = Data(json.utf8)
        #expect(try JSONTreeDecoder().decode(Sample.self, from: data) == JSONDecoder().decode(Sample.self, from: data))
    }

    @Test("input JSONDecoder refuses is refused too", arguments: [
        #"{"text":"x","count":1,"small":2147483648,"ratio":1,"flag":true,"names":[]}"#,  // Int32 overflow
        #"{"text":"x","count":1.5,"small":1,"ratio":1,"flag":true,"names":[]}"#,  // not whole
        #"{"text":1,"count":1,"small":1,"ratio":1,"flag":true,"names":[]}"#,  // wrong type
        #"{"text":null,"count":1,"small":1,"ratio":1,"flag":true,"names":[]}"#,  // null for a value
        #"{"count":1,"small":1,"ratio":1,"flag":true,"names":[]}"#,  // missing key
        #"{"text":"x","count":1,"small":1,"ratio":1,"flag":"yes","names":[]}"#,
        #"{"text":"x","count":1,"small":1,"ratio":1,"flag":true,"names":[1]}"#,
        #"{"text":"x","count":01,"small":1,"ratio":1,"flag":true,"names":[]}"#,  // leading zero
        #"{"text":"x","count":+1,"small":1,"ratio":1,"flag":true,"names":[]}"#,
        #"{"text":"x","count":1,"small":1,"ratio":.5,"flag":true,"names":[]}"#,
        #"{"text":"x","count":1,"small":1,"ratio":1.,"flag":true,"names":[]}"#,
        #"{"text":"x","count":1,"small":1,"ratio":1,"flag":true,"names":[]} x"#,  // text after the value
        #"{"text":"x","count":1,"small":1,"ratio":1,"flag":true,"names":["#,  // truncated
        #"{"text":"\ud83d","count":1,"small":1,"ratio":1,"flag":true,"names":[]}"#,  // unpaired surrogate
        #"{"text":"\q","count":1,"small":1,"ratio":1,"flag":true,"names":[]}"#,  // unknown escape
        "{\"text\":\"a\u{01}b\",\"count\":1,\"small\":1,\"ratio\":1,\"flag\":true,\"names\":[]}",  // raw control character
        #"{"text":"x","count":1,"small":1,"ratio":1,"flag":tru,"names":[]}"#,
        "",
    ])
    func refusesWhatJSONDecoderRefuses(json: String) {
        let data = Data(json.utf8)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Sample.self, from: data) }
        #expect(throws: (any Error).self) { try JSONTreeDecoder().decode(Sample.self, from: data) }
    }

    @Test("errors carry JSONDecoder's coding path and message")
    func errorsMatchFoundation() {
        let data = Data(#"{"text":"x","count":1,"small":1,"ratio":1,"flag":true,"names":[],"nested":{"dose":"high","steps":[]}}"#.utf8)
        var foundation = ""
        do { _ = try JSONDecoder().decode(Sample.self, from: data) } catch { foundation = String(describing: error) }
        do {
            _ = try JSONTreeDecoder().decode(Sample.self, from: data)
            Issue.record("a string was read as a dose")
        } catch {
            #expect(String(describing: error) == foundation)
            #expect(String(describing: error).contains("dose"))
        }
    }

    @Test("invalid UTF-8, a repeated key, a trailing comma (JSONDecoder lets it pass) and hostile nesting are refused")
    func refusesWhatCanonicalJSONNeverHolds() {
        var bytes = Data(#"{"text":""#.utf8)
        bytes.append(contentsOf: [0xC3, 0x28])
        bytes.append(contentsOf: Data(#"","count":1,"small":1,"ratio":1,"flag":true,"names":[]}"#.utf8))
        #expect(throws: (any Error).self) { try JSONTreeDecoder().decode(Sample.self, from: bytes) }
        let repeated = Data(#"{"text":"a","text":"b","count":1,"small":1,"ratio":1,"flag":true,"names":[]}"#.utf8)
        #expect(throws: (any Error).self) { try JSONTreeDecoder().decode(Sample.self, from: repeated) }
        let trailingComma = Data(#"{"text":"x","count":1,"small":1,"ratio":1,"flag":true,"names":[],}"#.utf8)
        #expect(throws: (any Error).self) { try JSONTreeDecoder().decode(Sample.self, from: trailingComma) }
        let deep = Data((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8)
        #expect(throws: (any Error).self) { try JSONTreeDecoder().decode([String].self, from: deep) }
    }
}
