import AccordCore
import AccordKit
import AccordLog
import AccordStore
import AccordSyncClient
import ArgumentParser
import Foundation

struct RemoteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remote",
        abstract: "Set or show the sync server this store talks to.",
        subcommands: [Add.self, Show.self, Repin.self]
    )

    struct Repin: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "repin",
            abstract: "After a failed audit-log check the administrator has explained (a restore from backup): pin the server's log anew.",
            discussion: """
            Without --confirm, shows the checkpoint this store verified last and the one the server serves now, and changes nothing. \
            With --confirm, the server writes the re-pin to its audit log; this store then pins the served checkpoint, reads the server's \
            feed again from the start (entries already here are kept once) and re-sends every entry written at this site: the server \
            stores those it lost and acknowledges the rest.
            """)
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: "Re-pin: the administrator has explained why the log changed.") var confirm = false

        func run() async throws {
            let clinic = Clinic(store: try store.open())
            let plan = try await clinic.repinPlan()
            func describe(_ checkpoint: Checkpoint?) -> String {
                checkpoint.map { "\($0.size) entries, root \($0.root.prefix(16)), signed \($0.at) with key \($0.key.prefix(12))" } ?? "none"
            }
            if !confirm {
                if output.json { return try Output.json(["pinned": plan.pinned.map(describe), "server": describe(plan.server)]) }
                print("Pinned here (verified last): \(describe(plan.pinned))")
                print("Served now:                  \(describe(plan.server))")
                if !plan.sameKey { print("  ! The server signs with a different key: this is a different or rebuilt server.") }
                print("Re-pinning records it in the server's audit log, reads the server's feed again from the start and offers the \(plan.eventsToOffer) entries written at this site again, so the server gets back what it lost.")
                print("Nothing was changed. Once the administrator has confirmed why the log changed, run `accord remote repin --confirm`.")
                return
            }
            let report = try await clinic.repin(plan)
            if output.json { return try Output.json(report) }
            print("Re-pinned the server's audit log (recorded in its log).")
            print("  was: \(describe(plan.pinned))")
            print("  now: \(describe(plan.server))")
            print("Re-sent \(report.pushed) entr\(report.pushed == 1 ? "y" : "ies") the server no longer held (\(report.duplicates) it still had); received \(report.pulled).")
            if !report.complete { throw CommandFailure("Not everything was synced: \(report.refused.count) entries refused, \(report.pending) waiting; run `accord sync` to see why.") }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Store the server's address and this site's credential (kept in the store, mode 0600).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The server's address, e.g. https://sync.example.org") var url: String
        @Option(help: "The credential printed by `accord-server site add`. Better kept off the command line: without this option it is read from $ACCORD_SYNC_CREDENTIAL, else from standard input.")
        var credential: String?
        @Flag(name: .customLong("new-server"), help: "Confirm a change to a different server: its audit log is trusted anew and its feed read from the start.")
        var newServer = false
        @Flag(help: "Allow plain http to another machine (a network you trust); the credential and records cross it unencrypted.")
        var insecure = false

        func validate() throws {
            guard let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme ?? ""), parsed.host != nil else {
                throw ValidationError("'\(url)' is not an http or https address, e.g. https://sync.example.org.")
            }
        }

        /// The credential from the option, the environment, or one line of standard input (not echoed on a terminal).
        func credentialGiven() throws -> String {
            let given = credential ?? ProcessInfo.processInfo.environment["ACCORD_SYNC_CREDENTIAL"].flatMap { $0.isEmpty ? nil : $0 } ?? {
                if isatty(STDIN_FILENO) != 0 { return getpass("Site credential (from `accord-server site add`): ").map { String(cString: $0) } }
                return readLine(strippingNewline: true)
            }()
            guard let text = given?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text.count <= 256, !text.contains(where: \.isWhitespace) else {
                throw ValidationError("The credential is missing, empty or malformed; give it on standard input or in $ACCORD_SYNC_CREDENTIAL exactly as `accord-server site add` printed it.")
            }
            return text
        }

        func run() throws {
            try Clinic(store: try store.open()).connect(server: URL(string: url)!, credential: try credentialGiven(), newServer: newServer,
                                                         allowInsecure: insecure)
            print("This store now syncs with \(url). Run `accord sync`.")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the server, the sync cursor and what waits to be sent.")
        @OptionGroup var store: StoreOptions

        func run() throws {
            let store = try store.open()
            guard let remote = try store.syncState.remote() else { return print("No sync server set; add one with `accord remote add URL --credential C`.") }
            print("Server: \(remote.url)")
            print("Last sync: \(remote.lastSyncAt ?? "never"); cursor \(remote.cursor)")
            print("Waiting to be sent: \(try store.syncState.outboxCount()) event(s)")
        }
    }
}

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Send this site's new events to the server, then fetch what the care teams wrote elsewhere.",
        discussion: "Safe to run from cron and while others use the store. Exits non-zero unless everything was synced."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @Flag(name: .customLong("retry-refused"), help: "Send again the events the server refused before (after fixing the cause).") var retryRefused = false

    func run() async throws {
        let store = try store.open()
        if retryRefused { try store.syncState.retryRefused() }
        let interactive = isatty(STDERR_FILENO) != 0
        let report = try await Clinic(store: store).sync { progress in
            // Progress goes to standard error, so scripts reading standard output see only the result.
            guard interactive, progress.events >= 1000 else { return }  // a line per batch or page on long syncs
            let rate = progress.seconds > 0 ? Int(Double(progress.events) / progress.seconds) : 0
            FileHandle.standardError.write(Data("  \(progress.phase) \(progress.events) events (\(rate)/s)\n".utf8))
        }
        // A conflict can only open where an entry that changes a part of a record arrived: those records are checked,
        // and every conflict open on them is shown. A record that received only notes or check-ins is not read again,
        // since that read grows with the record's length (93 ms a sync at 10,000 entries against 53 at 200);
        // `accord conflicts` and `accord today` list every open conflict.
        let conflicts = try Clinic(store: store).conflicts(patients: report.changedPatients)
        if output.json {
            try Output.json(SyncJSON(report: report, conflicts: conflicts.map { ConflictsCommand.Entry(patient: $0.patient, name: $0.name, conflict: $0.conflict) }))
        } else {
            print("Sent \(report.pushed) event(s)\(report.duplicates > 0 ? " (\(report.duplicates) already on the server)" : ""), received \(report.pulled).")
            if let size = report.logSize { print("Server audit log verified: \(size) entries, consistent with the last check.") }
            if report.keyStatus == .pending, let fingerprint = report.keyFingerprint {
                print("  Your signing key awaits approval at the server (fingerprint \(fingerprint.prefix(16))); signed entries wait until the administrator runs `accord-server key approve \(fingerprint.prefix(16))`.")
            } else if report.keyStatus == .revoked {
                print("  ! Your signing key was revoked at the server; signed entries will be refused. Ask the administrator.")
            }
            for refusal in report.refused {
                print("  ! Refused \(refusal.event.prefix(12)) (\(refusal.code)): \(refusal.reason)")
            }
        }
        if !conflicts.isEmpty && !output.json {
            let calendar = try store.calendar()
            print("\(conflicts.count) conflict(s) open on the records this sync updated: changed at two places at once; keep one side of each.")
            for entry in conflicts {
                for line in ConflictText.lines(entry.conflict, patient: entry.patient, name: entry.name, calendar: calendar) { print("  " + line) }
            }
        }
        guard report.complete else {
            throw CommandFailure("Not everything was synced: \(report.refused.count) event(s) refused by the server and kept here; \(report.pending) waiting. See the reasons above; after fixing the cause run `accord sync --retry-refused`.")
        }
    }
}

/// `accord sync --json`: the report's fields, and the conflicts open on the records the sync updated.
struct SyncJSON: Encodable {
    var report: SyncReport
    var conflicts: [ConflictsCommand.Entry]

    enum CodingKeys: String, CodingKey { case conflicts }

    func encode(to encoder: any Encoder) throws {
        try report.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(conflicts, forKey: .conflicts)
    }
}

extension PatientCommand {
    struct Share: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "share", abstract: "Share a patient's record with another site's care team (sent on the next sync).")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var patient: PatientOption
        @Option(help: "The site to share with, as enrolled on the server.") var site: String
        @Option(help: "Why the record is shared.") var reason: String?

        func run() async throws {
            let clinic = Clinic(store: try store.open())
            let loaded = try clinic.chart(patient.patient)
            let recorded = try await clinic.share(loaded, with: site, reason: reason)
            try Report.recorded(recorded.event, output, "Shared \(loaded.record.name)'s record with site '\(site)'; it goes with the next `accord sync`")
        }
    }
}

struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "List parts of records changed at two places at once, each side as recorded, and resolve them.",
        subcommands: [List.self, Resolve.self],
        defaultSubcommand: List.self
    )

    struct Entry: Encodable {
        var patient: String
        var name: String
        var conflict: ConflictState
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List every open conflict in this store, with each side's author, site, time and outcome.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            let store = try store.open()
            let clinic = Clinic(store: store)
            let open = try clinic.conflicts()
            if output.json { return try Output.json(open.map { Entry(patient: $0.patient, name: $0.name, conflict: $0.conflict) }) }
            if open.isEmpty { return print("No conflicts.") }
            let calendar = try store.calendar()
            for entry in open {
                for line in ConflictText.lines(entry.conflict, patient: entry.patient, name: entry.name, calendar: calendar) { print(line) }
            }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "resolve",
            abstract: "Resolve a conflict by keeping one side: every site then shows exactly that side's outcome.",
            discussion: "Records a signed conflict.resolved entry that builds on every side. The sides set aside stay readable in `accord timeline`, and the resolution is a version in the record's history and in the server's audit."
        )
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var patient: PatientOption
        @Option(help: "The side to keep: its id (or 6+ hex digits of it) from `accord conflicts`.") var keep: String
        @Option(help: "Why this side is kept, for the record.") var reason: String?

        func run() async throws {
            let clinic = Clinic(store: try store.open())
            let loaded = try clinic.chart(patient.patient)
            let kept = try clinic.entry(loaded, keep)
            let recorded = try await clinic.resolveConflict(loaded, keep: kept, reason: reason)
            let label = kept.envelope.payload.entity.map(loaded.record.label(of:)) ?? "record"
            try Report.recorded(recorded.event, output, "Resolved the conflict on the \(label) by keeping \(kept.id.short) (\(kept.envelope.author.name) @ \(kept.envelope.site)); every site shows that outcome after its next sync")
        }
    }
}

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a patient's entries: bytes against ids, signatures, and inclusion proofs from the server's audit log.",
        discussion: "Exits non-zero when any entry fails. The server's checkpoint must be consistent with the last one this site verified. With --witness (or $ACCORD_WITNESSES, keys separated by spaces), every entry must also lie in a checkpoint that --require of those witnesses (default all; $ACCORD_WITNESSES_REQUIRED) cosigned."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var patient: PatientOption
    @Option(name: .customLong("witness"), help: ArgumentHelp("A witness's verifier key (cosignature/v1); repeat for each.", valueName: "vkey")) var witnesses: [String] = []
    @Option(help: ArgumentHelp("How many of the witnesses must have cosigned (default all of them).", valueName: "k")) var require: Int?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let texts = witnesses.isEmpty ? (environment["ACCORD_WITNESSES"] ?? "").split(whereSeparator: \.isWhitespace).map(String.init) : witnesses
        var keys: [WitnessKey] = []
        for text in texts {
            do { keys.append(try WitnessKey(encoded: text)) } catch { throw ValidationError("A witness key: \(error.description).") }
        }
        var required = require
        if required == nil, let text = environment["ACCORD_WITNESSES_REQUIRED"], !text.isEmpty {
            guard let number = Int(text) else { throw ValidationError("ACCORD_WITNESSES_REQUIRED is '\(text)'; set it to a number of witnesses.") }
            required = number
        }
        let clinic = Clinic(store: try store.open())
        let loaded = try clinic.chart(patient.patient)
        let results = try await clinic.verify(loaded, witnesses: keys, required: required)
        if output.json {
            try Output.json(results)
        } else {
            for result in results {
                let witnessed = result.witnessedBy.map { "; cosigned by \($0.joined(separator: ", "))" } ?? ""
                print("\(result.ok ? "ok " : "BAD") \(result.event.short)  \(result.type.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0))  signature \(VerifyText.signature(result)); \(VerifyText.log(result))\(witnessed)")
                for problem in result.problems { print("      ! \(problem)") }
            }
            let unchecked = results.filter { $0.inLog == .notChecked }.count
            let bad = results.filter { !$0.ok && $0.inLog != .notChecked }.count
            if bad > 0 {
                print("\(bad) of \(results.count) entries of \(loaded.record.name) FAIL verification.")
            } else if unchecked > 0 {
                print("The bytes and signatures of all \(results.count) entries of \(loaded.record.name) check out here; the server could not be asked, so \(unchecked) entries' place in its audit log was not checked.")
            } else {
                print("All \(results.count) entries of \(loaded.record.name) check out.")
            }
        }
        if results.contains(where: { !$0.ok }) { throw ExitCode(1) }
    }
}

/// The words `accord verify` shows for each result.
enum VerifyText {
    static func signature(_ result: EventVerification) -> String {
        switch result.signature {
        case .valid: "valid (key \(result.signingKey?.prefix(16) ?? ""))"
        case .notRequired: "not signed"
        case .unsigned: "unsigned"
        case .invalid: "invalid"
        }
    }

    static func log(_ result: EventVerification) -> String {
        switch result.inLog {
        case .included: "in the log at position \(result.logPosition ?? 0) of \(result.logSize ?? 0)"
        case .notYetOnServer: "not yet on the server"
        case .unverified: "unverified"
        case .proofFails: "proof fails"
        case .wrongEntry: "wrong entry"
        case .signatureDiffers: "signature differs"
        case .notChecked: "not checked against the log"
        }
    }
}
