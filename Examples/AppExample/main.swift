// A headless stand-in for an app built on Accord: it imports AccordKit and nothing else of Accord's, and does what
// a clinician's app does on a first visit. `accord-app-example --store DIR --server URL --credential C --share-with SITE`
import AccordKit
import Foundation

struct Options {
    var store = ""
    var server = ""
    var credential = ""
    var shareWith = ""
    var site = "example-clinic"
    var clinician = "Dr. Example"

    static let usage = "usage: accord-app-example --store DIR --server URL --credential C --share-with SITE [--site NAME] [--clinician NAME]"

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw ExampleError("\(flag) needs a value; \(Self.usage)") }
            switch flag {
            case "--store": store = value
            case "--server": server = value
            case "--credential": credential = value
            case "--share-with": shareWith = value
            case "--site": site = value
            case "--clinician": clinician = value
            default: throw ExampleError("unknown option \(flag); \(Self.usage)")
            }
        }
        guard !store.isEmpty, !server.isEmpty, !credential.isEmpty, !shareWith.isEmpty else { throw ExampleError(Self.usage) }
    }
}

struct ExampleError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The line the example prints: the patient it registered and whether everything reached the server.
struct Outcome: Encodable {
    var patient: String
    var synced: Bool
    var reason: String?
}

func run() async throws -> Outcome {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    let folder = URL(fileURLWithPath: options.store)
    let store = try EventStore.existingIdentity(at: folder) == nil
        ? EventStore.create(at: folder, site: options.site, clinicianName: options.clinician)
        : EventStore.open(at: folder)
    let clinic = Clinic(store: store)
    guard let server = URL(string: options.server) else { throw ExampleError("'\(options.server)' is not an address") }
    try clinic.connect(server: server, credential: options.credential)

    // An app shows a likely duplicate to the clinician (`ClinicError.Code.likelyDuplicate`); this headless stand-in
    // takes the patient it registered on an earlier run.
    let name = "Robin Example", born = LocalDate("1972-06-15")!
    let earlier = try clinic.findPatients(born.description).first { PatientSearch.folded($0.name) == PatientSearch.folded(name) }
    var patient = earlier?.id ?? ""
    if earlier == nil { patient = try await clinic.registerPatient(name: name, born: born).patient }
    var chart = try clinic.chart(patient)
    let everyItem = ConsentItem.all.map { ConsentItemRecord(key: $0.id, discussed: true) }
    _ = try await clinic.recordConsent(chart, ConsentRecorded(items: everyItem, naloxone: .prescribed, decision: .accepts))
    chart = try clinic.chart(patient)
    if chart.record.activeAgreement == nil { _ = try await clinic.signAgreement(chart) }
    chart = try clinic.chart(patient)
    if !chart.record.sharedWith.contains(options.shareWith) { _ = try await clinic.share(chart, with: options.shareWith) }

    let report = try await clinic.sync()
    guard report.complete else {
        let reason = report.keyStatus == .pending
            ? "the clinician's signing key \(report.keyFingerprint?.prefix(16) ?? "") awaits approval by the server's administrator"
            : "\(report.refused.count) event(s) refused, \(report.pending) waiting: \(report.refused.first?.reason ?? "")"
        return Outcome(patient: patient, synced: false, reason: reason)
    }
    return Outcome(patient: patient, synced: true)
}

do {
    let outcome = try await run()
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(outcome), as: UTF8.self))
} catch {
    FileHandle.standardError.write(Data("accord-app-example: \(error)\n".utf8))
    exit(1)
}
