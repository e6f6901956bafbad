import AccordCore
import AccordServer
import AccordSync
import ArgumentParser
import Foundation

struct KeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "List, approve, revoke and reject clinicians' signing keys; works while the server runs.",
        discussion: """
        A site registers its clinician's key on `accord sync`; signed entries are accepted once the key is approved. A clinician \
        belongs to the site that registered their first key: no other site may register a key for them or write as them. \
        A registration made by mistake (at the wrong site) that is still pending is withdrawn with `reject`; a key that is \
        lost or exposed is revoked, and the clinician makes a new one with `accord key rotate`.
        """,
        subcommands: [List.self, Approve.self, Revoke.self, Reject.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Show pending, approved and revoked keys with their fingerprint, site and clinician.")
        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print JSON: an array of fingerprint, site, clinicianId, clinicianName, status, registeredAt, decidedAt.") var json = false

        func run() async throws {
            let keys = try await database.existing { try await $0.keys() }
            if json { return try printJSON(keys) }
            if keys.isEmpty { return print("No keys registered yet; a site registers its clinician's key on `accord sync`.") }
            for key in keys {
                print("\(key.fingerprint)  \(key.status.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0))  \(key.site)  \(key.clinicianName) (clinician \(key.clinicianId))  registered \(key.registeredAt)\(key.decidedAt.map { "  decided \($0)" } ?? "")")
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve a key: the clinician's signed entries are then accepted.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The key's fingerprint (8 or more hex digits of it).") var fingerprint: String

        func run() async throws {
            let key = try await database.existing { try await $0.approveKey(fingerprint, now: nowMilliseconds()) }
            print("Approved the key of \(key.clinicianName) at \(key.site) (\(key.fingerprint.prefix(16))).")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a key at once: entries signed with it are refused from now on.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The key's fingerprint (8 or more hex digits of it).") var fingerprint: String

        func run() async throws {
            let key = try await database.existing { try await $0.revokeKey(fingerprint, now: nowMilliseconds()) }
            print("Revoked the key of \(key.clinicianName) at \(key.site) (\(key.fingerprint.prefix(16))).")
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reject",
            abstract: "Withdraw a pending key registration made by mistake (e.g. at the wrong site); the clinician's next sync registers again.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The key's fingerprint (8 or more hex digits of it).") var fingerprint: String

        func run() async throws {
            let key = try await database.existing { try await $0.rejectKey(fingerprint, now: nowMilliseconds()) }
            print("Withdrew the pending registration of \(key.clinicianName)'s key at \(key.site) (\(key.fingerprint.prefix(16))); their next `accord sync` registers it again with their own site's credential.")
        }
    }
}

struct AuditorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auditor",
        abstract: "Add or revoke compliance staff who may read the audit pages (/audit).",
        subcommands: [Add.self, Revoke.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Add an auditor and print the credential once; only a hash is kept.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The auditor's name (lowercase letters, digits, '.', '-', '_').") var name: String
        @Flag(help: "Print {\"auditor\", \"credential\"} as JSON.") var json = false

        func run() async throws {
            let credential = try await database.with { try await $0.addAuditor(name, now: nowMilliseconds()) }
            if json { return try printJSON(["auditor": name, "credential": credential]) }
            print("Added auditor '\(name)'. The credential, shown only now:")
            print(credential)
            print("Open /audit on the server and sign in with the name \(name) and this credential as the password.")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke an auditor's credential at once.")
        @OptionGroup var database: DatabaseOption
        @Argument(help: "The auditor's name.") var name: String

        func run() async throws {
            try await database.existing { try await $0.revokeAuditor(name, now: nowMilliseconds()) }
            print("Revoked auditor '\(name)'.")
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Check the tamper-evident log, and answer auditors' questions about agreements and access.",
        subcommands: [Verify.self, Agreements.self, Access.self, Export.self, LogKey.self]
    )

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "verify", 
            abstract: "Rebuild the audit log from the database and check every hash, signature and checkpoint.",
            discussion: "Exits 0 when the log is intact; otherwise 1, naming the first bad position.")
        @OptionGroup var database: DatabaseOption
        @Flag(help: "Print JSON: ok, entries, checkpoints, events, problems (position, problem), firstBadPosition, seconds.") var json = false

        func run() async throws {
            let report = try await database.existing { try await $0.verifyAuditLog() }
            if json {
                try printJSON(report)
            } else if report.ok {
                print("The audit log is intact: \(report.entries) entries (\(report.events) events), \(report.checkpoints) signed checkpoints, checked in \(String(format: "%.2f", report.seconds)) s.")
            } else {
                print("The audit log FAILS verification: \(report.problems.count) problem(s); the first bad position is \(report.firstBadPosition ?? 0).")
                for problem in report.problems.sorted(by: { $0.position < $1.position }).prefix(20) { print("  position \(problem.position): \(problem.problem)") }
            }
            if !report.ok { throw ExitCode(1) }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export", abstract: "Write the audit log as C2SP tiles, entry bundles and a signed checkpoint note, for an offline check.",
            discussion: "The folder holds checkpoint, tile/..., tile/entries/... and log.vkey; `accord-audit verify DIR --key VKEY` checks it with no server or database. The entries name patients' record ids: hand the folder over as you would the records.")
        @OptionGroup var database: DatabaseOption
        @Option(help: ArgumentHelp("The folder to create (it must not exist).", valueName: "dir")) var out: String

        func run() async throws {
            let folder = URL(fileURLWithPath: out)
            let (checkpoint, files) = try await database.existing { try await LogArchive.export($0, to: folder) }
            let key = try await database.existing { LogArchive.verifierKey(for: $0.signingKey) }
            print("Wrote \(files) files to \(folder.path): \(checkpoint.size) entries, root \(checkpoint.root.base64EncodedString()).")
            print("Verifier key: \(key.encoded)")
            print("Check it: accord-audit verify \(folder.path) --key \(key.encoded)")
        }
    }

    struct LogKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "log-key", abstract: "Print the log's origin and verifier key (NAME+KEYID+BASE64), for auditors and witnesses to pin.")
        @OptionGroup var database: DatabaseOption

        func run() async throws {
            print(try await database.existing { LogArchive.verifierKey(for: $0.signingKey).encoded })
        }
    }

    struct Agreements: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "agreements", abstract: "Every treatment agreement with its full history, signatures and inclusion proofs.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "Only this patient (id or id prefix).") var patient: String?
        @Option(help: "Only agreements made at this site.") var site: String?
        @Option(help: "Only agreements that are active, expired or ended.") var status: String?
        @Flag(help: "Print JSON (each agreement with its versions, signatures and inclusion proofs).") var json = false

        func validate() throws {
            if let status, !["active", "expired", "ended"].contains(status) {
                throw ValidationError("--status must be active, expired or ended; '\(status)' is not one of them.")
            }
        }

        func run() async throws {
            let filter = AgreementFilter(patient: patient, site: site, status: status)
            let audits = try await database.existing { try await $0.agreements(filter, on: LocalDate(epochMilliseconds: nowMilliseconds())) }
            if json { return try printJSON(audits) }
            if audits.isEmpty { return print("No agreement matches.") }
            for audit in audits {
                print("\(audit.patientName) (\(audit.patient.prefix(8)))  agreement \(audit.agreement.prefix(8))  \(audit.status)  site \(audit.site)  renew by \(audit.renewOn)")
                for version in audit.versions {
                    let proof = version.inclusionVerified ? "in log at \(version.logPosition ?? -1), proof verified" : "NO verified inclusion proof"
                    print("  \(version.recordedAt)  \(version.change)  by \(version.signer) (\(version.meaning ?? "unsigned")) at \(version.site); patient agreed \(version.patientAgreed ?? "?"); signature \(version.signature); key \(version.keyStatus ?? "unregistered"); \(proof)")
                    for clause in version.clauses { print("      - \(clause)") }
                }
            }
        }
    }

    struct Access: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "access", abstract: "Who read or wrote a patient's record, when, from where, with what outcome.")
        @OptionGroup var database: DatabaseOption
        @Option(help: "The patient's full id (the server knows patients by id only; `accord patient show` at a site prints it).") var patient: String
        @Flag(help: "Print JSON: position, at, site, actor, patient, action, detail, outcome, remoteAddress.") var json = false

        func validate() throws {
            guard Identifiers.isValid(patient.lowercased()) else {
                throw ValidationError("--patient must be the patient's full id (a UUID such as 3d7da8ae-47b9-4eab-843c-3b3df1bcec67); the server knows no MRNs or short ids. `accord patient show` at a site prints the id.")
            }
        }

        func run() async throws {
            let entries = try await database.existing { try await $0.accessLog(patient: patient.lowercased()) }
            if json { return try printJSON(entries) }
            if entries.isEmpty { return print("No reads or writes of patient \(patient) are in the audit log.") }
            for entry in entries {
                print("\(entry.at)  \(entry.action.padding(toLength: 5, withPad: " ", startingAt: 0))  \(entry.site ?? entry.actor ?? "?")  \(entry.detail ?? "")  \(entry.outcome)  from \(entry.remoteAddress ?? "local")  [log \(entry.position)]")
            }
        }
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Copy an embedded SQLite server database into an empty PostgreSQL database and prove the copy.",
        discussion: """
            Stop the server first. The copy keeps every event, site, key, auditor, feed position and the whole audit \
            log with its signed checkpoints; it is then checked with `audit verify` on PostgreSQL. Give every \
            PostgreSQL instance the same --signing-key as the SQLite database used (printed at the end).
            """)
    @Option(help: ArgumentHelp("The SQLite server database to copy.", valueName: "path")) var from: String
    @Option(help: ArgumentHelp("The PostgreSQL database to fill (postgres://...; default: $\(ServerStorage.databaseVariable)).", valueName: "url")) var to: String?
    @Option(name: .customLong("signing-key"), help: ArgumentHelp("The signing key of the SQLite database (default: beside it).", valueName: "path"))
    var signingKey: String?

    func run() async throws {
        let target = to ?? ProcessInfo.processInfo.environment[ServerStorage.databaseVariable] ?? ""
        guard ServerStorage.isPostgres(target) else {
            throw ValidationError("--to must be a postgres:// URL (or set \(ServerStorage.databaseVariable) to one).")
        }
        guard FileManager.default.fileExists(atPath: from) else {
            throw ValidationError("There is no server database at \(from); give the SQLite file the server ran on.")
        }
        let keyPath = signingKey ?? ServerSigningKey.defaultPath(forDatabase: from)
        guard FileManager.default.fileExists(atPath: keyPath) else {
            throw ValidationError("The signing key \(keyPath) is missing; its checkpoints cannot be carried over without it. Give it with --signing-key.")
        }
        let source = try SQLiteSyncRepository(path: from, signingKeyPath: keyPath)
        let destination = try await PostgresSyncRepository(url: target, signingKeyPath: keyPath)
        do {
            // Progress rewrites one line on a terminal; into a log file it goes a line per 100,000 rows, with no
            // carriage returns (the totals follow on standard output).
            let terminal = isatty(STDERR_FILENO) == 1
            let summary = try await ServerMigration.copy(from: source, to: destination) { table, count in
                if terminal {
                    FileHandle.standardError.write(Data("\r\(table): \(count) rows".utf8))
                } else if count % 100_000 == 0 {
                    FileHandle.standardError.write(Data("\(table): \(count) rows\n".utf8))
                }
            }
            if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
            await destination.close()
            for (table, count) in summary.rows { print("\(table): \(count) rows copied") }
            let report = summary.report
            guard report.ok, summary.sourceHead?.root == summary.targetHead?.root, summary.sourceHead?.size == summary.targetHead?.size else {
                print("The copy FAILS verification: \(report.problems.first?.problem ?? "its signed head differs from the source's").")
                throw ExitCode(1)
            }
            print("Copied and verified: \(report.entries) log entries (\(report.events) events), \(report.checkpoints) signed checkpoints; head \(summary.targetHead.map { "\($0.size) \($0.root.prefix(16))" } ?? "empty") matches the source.")
            print("Start each instance with --database <the URL> --signing-key \(keyPath).")
        } catch {
            await destination.close()
            throw error
        }
    }
}
