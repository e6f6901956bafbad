// Prints the audit figures: signature verifications per second while pushing, `audit verify` over a log of
// 1,000,000 entries, and the size of an inclusion proof at that size.
//   scripts/build-release && .build/release/accord-audit-bench [entries]
import AccordCore
import AccordLog
@_spi(Benchmark) import AccordServer
import AccordSync
import Crypto
import Foundation

func now() -> Double { Date().timeIntervalSince1970 }
func milliseconds() -> Int64 { Int64(now() * 1000) }
func report(_ line: String) { print(line); fflush(nil) }

let target = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 1_000_000 : 1_000_000
let work = FileManager.default.temporaryDirectory.appendingPathComponent("accord-audit-bench-\(UUID().uuidString.prefix(8))")
try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: work) }
let database = work.appendingPathComponent("server.sqlite").path
let repository = try SQLiteSyncRepository(path: database)
_ = try await repository.addSite("north", now: milliseconds())

// One clinician with an approved key signs consents for 200 patients.
let key = Curve25519.Signing.PrivateKey()
let author = Author(id: Identifiers.make(), name: "Dr. Bench")
let registered = try await repository.registerKey(KeyRegistration(publicKey: key.publicKey.rawRepresentation.base64EncodedString(),
                                                                  clinicianId: author.id, clinicianName: author.name),
                                                  site: "north", now: milliseconds(), remoteAddress: nil)
_ = try await repository.approveKey(registered.fingerprint, now: milliseconds())
let signing = Signing(key: key.publicKey.rawRepresentation.base64EncodedString(), meaning: .author, patientAgreed: .inPerson)
let items = ConsentItem.all.map { ConsentItemRecord(key: $0.id, discussed: true) }
var wall = milliseconds() - 3_600_000
var events: [Event] = []
let patients = (0..<200).map { _ in Identifiers.make() }
for patient in patients {
    wall += 1
    events.append(try Event(EventEnvelope(patient: patient, author: author, site: "north", hlc: HLCTimestamp(wall: wall, logical: 0),
                                          recorded: Timestamp.iso8601(epochMilliseconds: wall), parents: [],
                                          payload: .patientRegistered(PatientRegistered(name: "Bench Patient", born: LocalDate("1960-01-01")!)))))
}
let signedCount = 20_000
for index in 0..<signedCount {
    wall += 1
    let envelope = EventEnvelope(patient: patients[index % patients.count], author: author, site: "north", hlc: HLCTimestamp(wall: wall, logical: 0),
                                 recorded: Timestamp.iso8601(epochMilliseconds: wall), parents: [],
                                 payload: .consentRecorded(ConsentRecorded(items: items, naloxone: .offered, decision: .accepts, note: "bench \(index)")),
                                 signing: signing)
    events.append(try Event.signed(envelope, with: key))
}
var checkSeconds = 0.0
let pushStart = now()
for start in stride(from: 0, to: events.count, by: 1000) {
    let batch = events[start..<min(start + 1000, events.count)]
    let lines = SyncWire.pushLines(SyncWire.pushBody(Array(batch)))
    let checkStart = now()
    let checked = await PushCheck.checkAll(lines, site: "north", now: milliseconds(), maximumSkew: 300_000)
    checkSeconds += now() - checkStart
    let response = try await repository.push(checked, from: "north", store: nil, now: milliseconds(), remoteAddress: "127.0.0.1")
    precondition(response.rejected.isEmpty, "bench push refused: \(response.rejected.first!.reason)")
}
let pushSeconds = now() - pushStart
report("Signed pushes: \(signedCount) signed events (+\(patients.count) unsigned) in batches of 1000")
report("  signature verifications per second while pushing (whole push path, storage and log included): \(Int(Double(signedCount) / pushSeconds))")
report("  of which decoding and checking lines (signatures verified on 2 cores): \(Int(Double(signedCount) / checkSeconds)) events/s")

let fillStart = now()
var size = try await repository.latestCheckpoint()?.size ?? 0
while size < target {
    let count = min(50_000, target - size)
    try repository.appendSyntheticReads(count: count, patient: patients[0], now: milliseconds())
    size += count
}
report("Filled the log to \(size) entries in \(String(format: "%.1f", now() - fillStart)) s")

let verify = try repository.verifyAuditLog()
precondition(verify.ok, "audit verify failed: \(verify.problems.first!.problem)")
report("accord-server audit verify over \(verify.entries) entries (\(verify.events) events, \(verify.checkpoints) checkpoints): \(String(format: "%.2f", verify.seconds)) s (goal at most 10 s)")

guard let (proof, checkpoint) = try await repository.inclusion(event: events[patients.count].id.hex, site: "north") else { fatalError("no proof") }
precondition(proof.verifies(against: checkpoint))
let json = try JSONEncoder().encode(proof.proof)
report("Inclusion proof at \(checkpoint.size) entries: \(proof.proof.count) hashes = \(proof.proof.count * 32) bytes (\(json.count) bytes as the JSON base64 array on the wire; goal at most 1 KB)")
