import AccordKit
import ArgumentParser
import Foundation

@main
struct Accord: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accord",
        abstract: "Record shared decisions about opioid treatment: goals, mini-consents, agreements, check-ins.",
        discussion: """
            The store lives in $ACCORD_HOME (default ~/.accord) or where --store says. It works offline.
            Start with `accord init --site NAME --clinician NAME`, then `accord patient add`.
            """,
        subcommands: [
            DemoCommand.self, InitCommand.self, TodayCommand.self, PatientCommand.self, GoalCommand.self, ConsentCommand.self, AgreementCommand.self,
            CheckinCommand.self, DrugTestCommand.self, PDMPCommand.self, MedicationsCommand.self, RiskCommand.self, MMECommand.self, FlagsCommand.self, TaperCommand.self, CoachCommand.self, KeyCommand.self, RemoteCommand.self, SyncCommand.self, ConflictsCommand.self, NoteCommand.self, CorrectCommand.self, TimelineCommand.self, TrendCommand.self, ExportCommand.self, VerifyCommand.self,
        ]
    )

    /// Runs the command; the library's errors reach the clinician with the command-line hint for their code.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch let error as ClinicError {
            fail(error.message + (error.storeError.map(Hint.text(for:)) ?? error.syncError.map(Hint.text(for:)) ?? Hint.text(for: error)),
                 mistake: ExitStatus.isMistake(error))
        } catch let error as StoreError {
            fail(error.message + Hint.text(for: error), mistake: ExitStatus.isMistake(error))
        } catch let error as SyncError {
            exit(withError: CommandFailure(error.description + Hint.text(for: error)))
        } catch {
            exit(withError: error)
        }
    }

    /// Prints the message and exits: 64 (the parser's own status for bad usage) for a mistake in what was asked,
    /// 1 for a failure of the store, the network or a check.
    private static func fail(_ message: String, mistake: Bool) -> Never {
        guard mistake else { exit(withError: CommandFailure(message)) }
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        exit(withError: ExitCode(ExitStatus.mistake))
    }
}

/// The exit statuses: 0 done, 64 a mistake in what was asked (bad input, an unknown patient, a rule that refused
/// it; nothing was written), 1 a failure of the store, the network or a check.
enum ExitStatus {
    static let mistake: Int32 = 64

    static func isMistake(_ error: ClinicError) -> Bool {
        if let storeError = error.storeError { return isMistake(storeError) }
        return ![.storage, .sync].contains(error.code)
    }

    static func isMistake(_ error: StoreError) -> Bool {
        [.notFound, .ambiguous, .invalid].contains(error.code)
    }
}

/// What to do next, in this tool's words, for each kind of library error.
enum Hint {
    static func text(for error: ClinicError) -> String {
        switch error.code {
        case .unusualDose: " If it is what was prescribed, repeat with --confirm-dose. Nothing was written."
        case .likelyDuplicate: " If this is a different person, repeat with --confirm-duplicate; `accord patient find NAME` lists who is registered. Nothing was written."
        case .fasterThanGuide: " Give the reason with --faster-reason; nothing was written."
        case .notFound where error.storeError == nil: " `accord patient show` and `accord taper show` list what the patient has."
        case .serverChange: " If it is, repeat with --new-server. Nothing was changed."
        case .insecure: " On a network you trust (a test bench), repeat with --insecure. Nothing was changed."
        case .alreadyExists, .notAllowed, .invalid: " Nothing was written."
        default: ""
        }
    }

    static func text(for error: StoreError) -> String {
        switch error.code {
        case .notInitialized: " Create one with `accord init --site NAME --clinician NAME`."
        case .notFound, .ambiguous: " `accord patient list` shows every patient with their id and MRN; `accord timeline --patient ID` shows a patient's entries."
        default: ""
        }
    }

    static func text(for error: SyncError) -> String {
        switch error.code {
        case .noServer: " Add one with `accord remote add URL --credential C`."
        case .badServerAddress, .unauthorized: " Use `accord remote add URL --credential C`."
        case .untrustedServer: " Install the certificate authority that signed it in this machine's trust store (update-ca-certificates), or check the address."
        case .wrongSite: " Ask the server's administrator for this site's credential (`accord-server site add NAME` enrols it) and set it with `accord remote add URL --credential C`."
        case .unavailable: " Run `accord sync` again later."
        case .auditLogFailed: " Once the administrator confirms the server was restored from a backup, `accord remote repin` shows the checkpoint this site verified and the one the server serves, and with --confirm re-pins (audited) and re-sends what the server lost."
        default: ""
        }
    }
}
