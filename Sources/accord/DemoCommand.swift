import AccordCore
import AccordKit
import AccordStore
import ArgumentParser
import Foundation

/// A first look at Accord: a separate demo store, created on first use, with a demo patient and a guided mini-consent.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Try Accord: a guided mini-consent for a demo patient, in a demo store of its own.",
        discussion: "The demo store is ~/.accord-demo unless --store says otherwise; your real store is never touched. Without a terminal the consent is filled in with sample answers."
    )

    @Option(name: .customLong("store"), help: ArgumentHelp("The demo store folder (default ~/.accord-demo).", valueName: "path"))
    var path: String?

    static let demoMRN = "DEMO-0001"

    func run() async throws {
        let directory = path.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".accord-demo")
        let store: EventStore
        if try EventStore.existingIdentity(at: directory) != nil {
            store = try EventStore.open(at: directory, connections: .single)
        } else {
            store = try EventStore.create(at: directory, site: "demo-clinic", clinicianName: "Dr. Demo")
            print("Created a demo store at \(directory.path) (site demo-clinic, clinician Dr. Demo).")
        }
        let clinic = Clinic(store: store)
        let patient: String
        if let existing = try? store.resolvePatient(Self.demoMRN) {
            patient = existing.id
        } else {
            patient = try await clinic.registerPatient(name: "Alex Demo", born: LocalDate("1968-09-14")!, mrn: Self.demoMRN).patient
            print("Registered the demo patient Alex Demo (MRN \(Self.demoMRN)).")
        }
        let loaded = try clinic.chart(patient)
        let consent: ConsentRecorded
        if Terminal.isInteractive {
            let terminal = Terminal(coaching: .consent)
            guard let answered = try ConsentFlow(terminal: terminal, record: loaded.record,
                                                 preset: try ConsentAnswers(discussed: nil, notDiscussed: []),
                                                 naloxone: nil, decision: nil, questions: nil, note: nil,
                                                 skipConfirmation: false).run() else {
                return print("Nothing was written.")
            }
            consent = answered
            _ = try await terminal.whileWriting { try await clinic.recordConsent(loaded, consent) }
        } else {
            print("No terminal: recording a sample mini-consent (every item discussed, naloxone offered, decision deferred).")
            consent = ConsentRecorded(items: ConsentItem.all.map { ConsentItemRecord(key: $0.id, discussed: true) },
                                      naloxone: .offered, questions: "How long would I take it?", decision: .deferred,
                                      note: "Sample entry written by `accord demo`.")
            _ = try await clinic.recordConsent(loaded, consent)
        }
        print("")
        let shown = try clinic.chart(patient)
        print(RecordText.render(shown.record.evaluated(on: shown.today, settings: FlagSettings(calendar: shown.calendar)), calendar: shown.calendar))
        print("")
        print("Explore further with: accord patient show --store \(directory.path) --patient \(Self.demoMRN)")
    }
}
