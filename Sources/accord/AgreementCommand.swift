import AccordCore
import AccordKit
import AccordStore
import ArgumentParser

struct AgreementCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreement",
        abstract: "Sign, amend, renew and end treatment agreements.",
        discussion: "Clause keys: \(AgreementClause.defaultKeys.joined(separator: ", ")).",
        subcommands: [Sign.self, Amend.self, Renew.self, End.self]
    )

    struct Common: ParsableArguments {
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var patient: PatientOption
        @OptionGroup var signature: SignatureOptions
    }

    static func clauses(_ text: String) throws -> [String] {
        if text.lowercased() == "default" { return AgreementClause.defaultKeys }
        let keys = Parse.keyList(text)
        for key in keys where AgreementClause.named(key) == nil {
            throw ValidationError("'\(key)' is not an agreement clause; the clauses are \(AgreementClause.defaultKeys.joined(separator: ", ")).")
        }
        guard !keys.isEmpty else { throw ValidationError("--clauses needs `default` or a comma list of clause keys.") }
        return keys
    }

    static func method(_ text: String) throws -> AgreementMethod { try Parse.choice(text, "way of agreeing") }

    /// Records one event on an existing agreement, building on its latest events.
    static func record(_ common: Common, agreement reference: String?,
                       _ change: (Clinic, PatientChart, AgreementState, SigningIntent) async throws -> Clinic.Recorded,
                       _ text: (AgreementState) -> String) async throws {
        let clinic = Clinic(store: try common.store.open())
        let chart = try clinic.chart(common.patient.patient)
        let agreement = try chart.agreement(reference)
        let recorded = try await change(clinic, chart, agreement, common.signature.intent())
        try Report.recorded(recorded.event, common.output, text(agreement), agreement: agreement.id)
    }
}

extension AgreementCommand {
    struct Sign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sign", 
            abstract: "Record a signed treatment agreement.",
            discussion: "On a terminal the clauses can be edited before signing. Defaults: all clauses, renewal in one year, agreed in person."
        )
        @OptionGroup var common: Common
        @Option(help: ArgumentHelp("`default` or a comma list of clause keys.", valueName: "keys")) var clauses: String?
        @Option(name: .customLong("renew-on"), help: ArgumentHelp("Renewal date (default: one year from today).", valueName: "yyyy-mm-dd"),
                transform: Parse.date) var renewOn: LocalDate?
        @Option(help: ArgumentHelp("How the patient agreed: in-person, verbal or paper (default in-person).", valueName: "how"),
                transform: AgreementCommand.method) var agreed: AgreementMethod?
        @Option(help: "A note for the record.") var note: String?
        @Flag(help: "On a terminal, record without asking for confirmation.") var yes = false

        func run() async throws {
            var keys = try clauses.map(AgreementCommand.clauses) ?? AgreementClause.defaultKeys
            let clinic = Clinic(store: try common.store.open())
            let loaded = try clinic.chart(common.patient.patient)
            try clinic.checkCanSignAgreement(loaded)
            let today = loaded.today
            var renewOn = self.renewOn ?? today.adding(years: 1)
            var method = agreed ?? .inPerson
            let terminal = Terminal.isInteractive ? Terminal(coaching: .agreement) : nil
            if let terminal {
                if clauses == nil { keys = try AgreementFlow(terminal: terminal).editClauses(keys) }
                if self.renewOn == nil {
                    renewOn = try terminal.ask("Renewal date [\(renewOn)]:", hint: "Write a date as YYYY-MM-DD after today, or press Enter.") { answer in
                        answer.isEmpty ? renewOn : LocalDate(answer).flatMap { $0 > today ? $0 : nil }
                    }
                }
                if agreed == nil {
                    method = try terminal.ask("How did the patient agree? [in-person/verbal/paper, Enter for in-person]:",
                                              hint: "Type in-person, verbal or paper.") { answer in
                        answer.isEmpty ? .inPerson : AgreementMethod(rawValue: answer.lowercased())
                    }
                }
                terminal.say("Agreement for \(loaded.record.name): \(keys.count) clauses, from \(today), renew by \(renewOn), agreed \(method.rawValue).")
                if !yes, try !terminal.confirm("Record this agreement?") { return print("Nothing was written.") }
            }
            let recorded = try await Terminal.writing(terminal) {
                try await clinic.signAgreement(loaded, clauses: keys, renewOn: renewOn, method: method, note: note, signing: common.signature.intent())
            }
            try Report.recorded(recorded.event, common.output, "Recorded the treatment agreement for \(loaded.record.name), renew by \(renewOn)", agreement: recorded.agreement)
        }
    }

    struct Amend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "amend", abstract: "Change the clauses of the active agreement.")
        @OptionGroup var common: Common
        @Option(help: "The agreement's id prefix (default: the active one).") var agreement: String?
        @Option(help: ArgumentHelp("The new clause list: `default` or a comma list of keys.", valueName: "keys")) var clauses: String
        @Option(help: "Why it changed.") var reason: String
        @Option(help: ArgumentHelp("How the patient agreed: in-person, verbal or paper (default in-person).", valueName: "how"),
                transform: AgreementCommand.method) var agreed: AgreementMethod = .inPerson

        func run() async throws {
            let keys = try AgreementCommand.clauses(clauses)
            try await AgreementCommand.record(common, agreement: agreement, { clinic, chart, agreement, signing in
                try await clinic.amendAgreement(chart, agreement: agreement, clauses: keys, reason: reason, method: agreed, signing: signing)
            }, { _ in "Amended the agreement (\(keys.count) clauses)" })
        }
    }

    struct Renew: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "renew", abstract: "Renew the agreement until a new date.")
        @OptionGroup var common: Common
        @Option(help: "The agreement's id prefix (default: the active one).") var agreement: String?
        @Option(name: .customLong("renew-on"), help: ArgumentHelp("Next renewal date (default: one year from today).", valueName: "yyyy-mm-dd"),
                transform: Parse.date) var renewOn: LocalDate?
        @Option(help: ArgumentHelp("How the patient agreed: in-person, verbal or paper (default in-person).", valueName: "how"),
                transform: AgreementCommand.method) var agreed: AgreementMethod = .inPerson
        @Option(help: "A note for the record.") var note: String?

        func run() async throws {
            let today = try common.store.open().calendar().today()
            let date = renewOn ?? today.adding(years: 1)
            try await AgreementCommand.record(common, agreement: agreement, { clinic, chart, agreement, signing in
                try await clinic.renewAgreement(chart, agreement: agreement, renewOn: date, method: agreed, note: note, signing: signing)
            }, { _ in "Renewed the agreement until \(date)" })
        }
    }

    struct End: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "end", abstract: "End the agreement, with the reason.")
        @OptionGroup var common: Common
        @Option(help: "The agreement's id prefix (default: the active one).") var agreement: String?
        @Option(help: "Why it ended.") var reason: String

        func run() async throws {
            try await AgreementCommand.record(common, agreement: agreement, { clinic, chart, agreement, signing in
                try await clinic.endAgreement(chart, agreement: agreement, reason: reason, signing: signing)
            }, { _ in "Ended the agreement" })
        }
    }
}

/// Editing the clause list on a terminal: numbers toggle clauses, Enter accepts.
struct AgreementFlow {
    let terminal: Terminal

    func editClauses(_ initial: [String]) throws -> [String] {
        var chosen = Set(initial)
        while true {
            terminal.say("Treatment agreement clauses (x = included; type ! for coaching on pushback):")
            for (index, clause) in AgreementClause.all.enumerated() {
                terminal.say("  \(index + 1). [\(chosen.contains(clause.id) ? "x" : " ")] \(clause.text)")
            }
            terminal.say("  (Source: \(Source.cdc2022.rawValue); clause 11: \(Source.hhs2019.rawValue))")
            let answer = try terminal.ask("Numbers to include or leave out (e.g. 3,7), or Enter to accept:",
                                          hint: "Type clause numbers separated by commas, or press Enter.") { answer -> [Int]? in
                if answer.isEmpty { return [] }
                let numbers = answer.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard numbers.allSatisfy({ $0.map { (1...AgreementClause.all.count).contains($0) } ?? false }) else { return nil }
                return numbers.compactMap { $0 }
            }
            if answer.isEmpty {
                if chosen.isEmpty { terminal.say("  An agreement needs at least one clause."); continue }
                return AgreementClause.all.map(\.id).filter(chosen.contains)
            }
            for number in answer {
                let key = AgreementClause.all[number - 1].id
                if chosen.contains(key) { chosen.remove(key) } else { chosen.insert(key) }
            }
        }
    }
}
