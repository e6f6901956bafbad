import AccordCore
import AccordKit
import AccordStore
import ArgumentParser

struct ConsentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consent",
        abstract: "Record a mini-consent conversation before prescribing or changing a plan.",
        discussion: """
            On a terminal it walks through each item with talking points, then shows a summary to confirm. \
            Ctrl-C or end of input at any point writes nothing. Without a terminal it runs from the flags.

            Item keys: \(ConsentItem.all.map(\.id).joined(separator: ", ")).
            Every item must be discussed (--discussed) or marked not discussed with a reason (--not-discussed KEY:REASON).
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var patient: PatientOption
    @Option(help: ArgumentHelp("Items discussed: `all` or a comma list of item keys.", valueName: "keys"))
    var discussed: String?
    @Option(name: .customLong("not-discussed"), help: ArgumentHelp("An item not discussed and why; repeat for each.", valueName: "key:reason"))
    var notDiscussed: [String] = []
    @Option(help: ArgumentHelp("Naloxone: offered, prescribed, declined or on-hand.", valueName: "status"),
            transform: { try Parse.choice($0, "naloxone status") as NaloxoneStatus })
    var naloxone: NaloxoneStatus?
    @Option(help: ArgumentHelp("The patient's decision: accepts, declines or deferred.", valueName: "decision"),
            transform: { try Parse.choice($0, "decision") as ConsentDecision })
    var decision: ConsentDecision?
    @Option(help: "The patient's questions, in brief.") var questions: String?
    @Option(help: "A note for the record.") var note: String?
    @Flag(help: "On a terminal, record without asking for confirmation.") var yes = false
    @OptionGroup var signature: SignatureOptions
    @OptionGroup var agreed: PatientAgreedOption

    func run() async throws {
        let answers = try ConsentAnswers(discussed: discussed, notDiscussed: notDiscussed)
        let clinic = Clinic(store: try store.open())
        let loaded = try clinic.chart(patient.patient)
        let consent: ConsentRecorded
        let terminal = Terminal.isInteractive ? Terminal(coaching: .consent) : nil
        if let terminal {
            guard let confirmed = try ConsentFlow(terminal: terminal, record: loaded.record, preset: answers,
                                                  naloxone: naloxone, decision: decision, questions: questions,
                                                  note: note, skipConfirmation: yes).run() else {
                return print("Nothing was written.")
            }
            consent = confirmed
        } else {
            consent = try answers.complete(naloxone: naloxone, decision: decision, questions: questions, note: note)
        }
        let recorded = try await Terminal.writing(terminal) {
            try await clinic.recordConsent(loaded, consent, signing: signature.intent(patientAgreed: agreed.method))
        }
        try Report.recorded(recorded.event, output, "Recorded the mini-consent for \(loaded.record.name): patient \(consent.decision.rawValue)")
    }
}

/// The item answers given as flags, checked against the item list.
struct ConsentAnswers {
    var answered: [String: ConsentItemRecord] = [:]

    init(discussed: String?, notDiscussed: [String]) throws {
        let keys = ConsentItem.all.map(\.id)
        let discussedKeys = discussed.map { $0.lowercased() == "all" ? keys : Parse.keyList($0) } ?? []
        for key in discussedKeys {
            guard ConsentItem.named(key) != nil else {
                throw ValidationError("'\(key)' is not a mini-consent item; the items are \(keys.joined(separator: ", ")).")
            }
            answered[key] = ConsentItemRecord(key: key, discussed: true)
        }
        for entry in notDiscussed {
            let parts = entry.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[1].isEmpty else {
                throw ValidationError("--not-discussed takes KEY:REASON, e.g. storage:patient had to leave; '\(entry)' has no reason.")
            }
            let key = parts[0].lowercased()
            guard ConsentItem.named(key) != nil else {
                throw ValidationError("'\(key)' is not a mini-consent item; the items are \(keys.joined(separator: ", ")).")
            }
            guard answered[key] == nil else {
                throw ValidationError("Item '\(key)' is given as both discussed and not discussed; choose one.")
            }
            answered[key] = ConsentItemRecord(key: key, discussed: false, reason: parts[1])
        }
    }

    /// The consent from flags alone, or a message naming the first required answer that is missing.
    func complete(naloxone: NaloxoneStatus?, decision: ConsentDecision?, questions: String?, note: String?) throws -> ConsentRecorded {
        let missing = ConsentItem.all.map(\.id).filter { answered[$0] == nil }
        guard missing.isEmpty else {
            throw CommandFailure("Not every mini-consent item is answered (missing: \(missing.joined(separator: ", "))); pass --discussed all, or --discussed KEYS plus --not-discussed KEY:REASON for the rest. Nothing was written.")
        }
        guard let naloxone else {
            throw CommandFailure("The naloxone status is required; pass --naloxone offered|prescribed|declined|on-hand. Nothing was written.")
        }
        guard let decision else {
            throw CommandFailure("The patient's decision is required; pass --decision accepts|declines|deferred. Nothing was written.")
        }
        return ConsentRecorded(items: ConsentItem.all.compactMap { answered[$0.id] }, naloxone: naloxone,
                               questions: questions.nilIfEmpty, decision: decision, note: note.nilIfEmpty)
    }
}
