import AccordCore
import Crypto
import Foundation
import Testing

@Suite("Event bytes and ids")
struct EventEncodingTests {
    let patient = "5f0c7a52-1b7e-4c59-8d0e-5e2f4a1b9c01"

    @Test("the id is the SHA-256 of exactly the stored bytes, which are canonical JSON with sorted keys")
    func idProvesBytes() throws {
        let event = EventFixtures.event(patient: patient, wall: 1_790_000_000_000, .noteAdded(NoteAdded(text: "hello / world")))
        let digest = SHA256.hash(data: event.bytes).map { String(format: "%02x", $0) }.joined()
        #expect(event.id.hex == digest)
        let text = String(decoding: event.bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"author":{"id":"#))
        #expect(!text.contains(" : ") && !text.contains("\n"))
        #expect(text.contains(#""payload":{"text":"hello / world"}"#))
    }

    @Test("bytes read back decode to the same envelope and id")
    func roundTrip() throws {
        let original = EventFixtures.event(patient: patient, wall: 1_790_000_000_123, logical: 4,
                                           .goalSet(GoalSet(goal: "9a2e3c7d-0b4f-4a51-9c3e-1d2f3a4b5c6d", description: "cook dinner", targetDate: LocalDate("2027-01-31"))))
        let read = try Event(bytes: original.bytes, expectedID: original.id)
        #expect(read.envelope == original.envelope)
        #expect(read.id == original.id)
    }

    @Test("bytes that do not match the id are refused")
    func tamperedBytes() throws {
        let original = EventFixtures.event(patient: patient, wall: 1_790_000_000_000, .noteAdded(NoteAdded(text: "dose 10 mg")))
        let edited = Data(String(decoding: original.bytes, as: UTF8.self).replacingOccurrences(of: "10 mg", with: "90 mg").utf8)
        #expect(throws: EventDecodingError.self) { try Event(bytes: edited, expectedID: original.id) }
    }

    @Test("malformed or rule-breaking bytes are refused with a reason", arguments: [
        #"{"not":"an event"}"#,
        #"{"author":{"id":"x","name":"A"},"hlc":{"logical":0,"wall":1},"parents":[],"patient":"p","payload":{"text":"hi"},"recorded":"r","schema":1,"site":"s","type":"note.added"}"#,
        #"{"author":{"id":"0b5e7c1e-52a4-4e39-9a55-2c5d9e1a0001","name":"A"},"hlc":{"logical":0,"wall":1},"parents":[],"patient":"5f0c7a52-1b7e-4c59-8d0e-5e2f4a1b9c01","payload":{"text":"hi"},"recorded":"r","schema":9,"site":"s","type":"note.added"}"#,
        #"{"author":{"id":"0b5e7c1e-52a4-4e39-9a55-2c5d9e1a0001","name":"A"},"hlc":{"logical":0,"wall":1},"parents":[],"patient":"5f0c7a52-1b7e-4c59-8d0e-5e2f4a1b9c01","payload":{"text":"  "},"recorded":"r","schema":1,"site":"s","type":"note.added"}"#,
        #"{"author":{"id":"0b5e7c1e-52a4-4e39-9a55-2c5d9e1a0001","name":"A"},"hlc":{"logical":0,"wall":1},"parents":[],"patient":"5f0c7a52-1b7e-4c59-8d0e-5e2f4a1b9c01","payload":{"text":"hi"},"recorded":"r","schema":1,"site":"s","type":"no.such.type"}"#,
    ])
    func refused(json: String) {
        #expect(throws: EventDecodingError.self) { try Event(bytes: Data(json.utf8)) }
    }

    @Test("a newer schema version is refused with advice to update")
    func newerSchema() {
        let json = #"{"author":{"id":"0b5e7c1e-52a4-4e39-9a55-2c5d9e1a0001","name":"A"},"hlc":{"logical":0,"wall":1},"parents":[],"patient":"5f0c7a52-1b7e-4c59-8d0e-5e2f4a1b9c01","payload":{"text":"hi"},"recorded":"r","schema":2,"site":"s","type":"note.added"}"#
        do {
            _ = try Event(bytes: Data(json.utf8))
            Issue.record("a newer schema was accepted")
        } catch {
            #expect(error.description.contains("update Accord"))
        }
    }

    @Test("parents are stored sorted and without repeats, whatever order they were given in")
    func parentsCanonical() {
        let a = EventID(hashing: Data("a".utf8)), b = EventID(hashing: Data("b".utf8))
        let one = EventFixtures.event(patient: patient, wall: 5, parents: [a, b, a], .noteAdded(NoteAdded(text: "x")))
        let two = EventFixtures.event(patient: patient, wall: 5, parents: [b, a], .noteAdded(NoteAdded(text: "x")))
        #expect(one.id == two.id)
        #expect(one.envelope.parents == [a, b].sorted())
    }

    @Test("a correction carries a full replacement of the same type and round-trips")
    func correctionRoundTrip() throws {
        let target = EventFixtures.event(patient: patient, wall: 10, .checkinRecorded(CheckinRecorded(peg: [7, 6, 5])))
        let correction = EventFixtures.event(patient: patient, wall: 11, parents: [target.id], .entryCorrected(EntryCorrected(
            target: target.id, reason: "PEG misheard", replacement: .checkinRecorded(CheckinRecorded(peg: [5, 6, 5])))))
        let read = try Event(bytes: correction.bytes)
        #expect(read.envelope.payload == correction.envelope.payload)
        #expect(String(decoding: correction.bytes, as: UTF8.self).contains(#""targetType":"checkin.recorded""#))
    }
}
