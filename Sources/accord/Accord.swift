import ArgumentParser

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
            DemoCommand.self, InitCommand.self, PatientCommand.self, GoalCommand.self, ConsentCommand.self, AgreementCommand.self,
            CheckinCommand.self, MedicationsCommand.self, RiskCommand.self, MMECommand.self, FlagsCommand.self, TaperCommand.self, CoachCommand.self, RemoteCommand.self, SyncCommand.self, ConflictsCommand.self, NoteCommand.self, CorrectCommand.self, TimelineCommand.self, ExportCommand.self, VerifyCommand.self,
        ]
    )
}
