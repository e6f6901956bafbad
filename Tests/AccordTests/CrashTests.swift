import AccordCore
import AccordStore
import Foundation
import Testing

/// Kills a writing process with SIGKILL at random points: every acknowledged append must survive, every
/// three-event batch must be all there or not at all, and SQLite must find the file sound.
@Suite("Durability under SIGKILL")
struct CrashTests {
    @Test("acknowledged appends survive SIGKILL, batches stay whole (150 rounds)")
    func killedWriter() throws {
        let folder = TemporaryDirectory("crash")
        defer { folder.remove() }
        let home = folder.path("home")
        let patient = Identifiers.make()
        do {
            let store = try EventStore.create(at: home, site: "north", clinicianName: "Dr. Crash")
            try store.append(EventDraft(patient: patient, payload: .patientRegistered(PatientRegistered(name: "Test Patient", born: LocalDate("1970-01-01")!))))
        }
        var rng = SeededGenerator(seed: 4242)
        var acknowledged = Set<EventID>()
        for round in 0..<150 {
            let ackTarget = Int.random(in: 0...20, using: &rng)
            let extraDelay = UInt32.random(in: 0...4_000, using: &rng)
            acknowledged.formUnion(try runAndKill(home: home, patient: patient, afterAcks: ackTarget, extraMicroseconds: extraDelay))
            let store = try EventStore.open(at: home)
            let events = try store.events(patient: patient)
            let held = Set(events.map(\.id))
            let lost = acknowledged.subtracting(held)
            #expect(lost.isEmpty, "round \(round): \(lost.count) acknowledged events lost")
            #expect(try store.integrityCheck() == "ok", "round \(round)")
            var parts: [String: Int] = [:]
            for event in events {
                if case .noteAdded(let note) = event.envelope.payload, let range = note.text.range(of: " part ") {
                    parts[String(note.text[..<range.lowerBound]), default: 0] += 1
                }
            }
            // Batch numbers restart in each writer, so a batch label can occur in several rounds: whole batches only.
            #expect(parts.values.allSatisfy { $0 % 3 == 0 }, "round \(round): a batch was torn")
        }
        #expect(acknowledged.count > 300, "the writer acknowledged too little to prove anything: \(acknowledged.count)")
    }

    /// Starts the writer, waits for `afterAcks` acknowledgements and a little longer, then kills it with SIGKILL.
    func runAndKill(home: URL, patient: String, afterAcks: Int, extraMicroseconds: UInt32) throws -> Set<EventID> {
        let process = Process()
        process.executableURL = Paths.executable("accord-crash-writer")
        process.arguments = [home.path, patient]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var buffer = Data()
        var acks = Set<EventID>()
        func absorb(_ data: Data) {
            buffer.append(data)
            while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                if line.hasPrefix("ACK ") {
                    for id in line.dropFirst(4).split(separator: ",") { if let id = EventID(hex: String(id)) { acks.insert(id) } }
                }
            }
        }
        let reader = output.fileHandleForReading
        while acks.count < afterAcks * 3 {
            let data = reader.availableData
            if data.isEmpty { break }
            absorb(data)
        }
        usleep(extraMicroseconds)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        absorb(reader.readDataToEndOfFile())  // acknowledgements printed before the kill landed
        return acks
    }
}
