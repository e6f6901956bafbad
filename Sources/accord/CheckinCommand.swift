import AccordCore
import AccordKit
import AccordStore
import ArgumentParser

struct CheckinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkin",
        abstract: "Record a check-in: PEG, PHQ-2, COWS, sleep, mood, goals, safety checks and the next visit.",
        discussion: """
            On a terminal it asks for each finding not given as a flag, then shows a summary to confirm; without a \
            terminal it records the flags given. PEG: 3 scores 0-10 (pain, enjoyment of life, general activity). \
            PHQ-2: 2 scores 0-3 (3 or more screens positive). COWS: 11 item scores, total 0-48. \
            --goal NUMBER:PROGRESS notes progress on a goal (none, some, most, achieved). --on DAY records a visit \
            entered later (on paper, say) on the day it took place. Urine drug tests and PDMP checks with their \
            findings have their own entries: accord udt record, accord pdmp record.
            """
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var patient: PatientOption
    @Option(help: ArgumentHelp("PEG item scores, e.g. 7,6,5.", valueName: "a,b,c"), transform: { try Parse.scores($0, "PEG") }) var peg: [Int]?
    @Option(help: ArgumentHelp("PHQ-2 item scores, e.g. 1,2.", valueName: "a,b"), transform: { try Parse.scores($0, "PHQ-2") }) var phq2: [Int]?
    @Option(help: ArgumentHelp("The 11 COWS item scores.", valueName: "scores"), transform: { try Parse.scores($0, "COWS") }) var cows: [Int]?
    @Option(name: .customLong("dose"), help: "The current opioid dose, as written.") var currentDose: String?
    @Option(help: "How the patient is sleeping.") var sleep: String?
    @Option(help: "The patient's mood.") var mood: String?
    @Option(name: .customLong("side-effects"), help: "Side effects reported.") var sideEffects: String?
    @Option(help: "Withdrawal symptoms seen or reported.") var withdrawal: String?
    @Option(name: .customLong("self-harm-concern"), help: "yes or no: any concern about self-harm or suicide.", transform: { try Parse.yesNo($0, "--self-harm-concern") }) var selfHarmConcern: Bool?
    @Option(name: .customLong("naloxone-on-hand"), help: "yes or no.", transform: { try Parse.yesNo($0, "--naloxone-on-hand") }) var naloxoneOnHand: Bool?
    @Option(name: .customLong("pdmp-checked"), help: "yes or no.", transform: { try Parse.yesNo($0, "--pdmp-checked") }) var pdmpChecked: Bool?
    @Option(name: .customLong("urine-test"), help: "not-done, expected, unexpected or pending.",
            transform: { try Parse.choice($0, "urine drug test result") as UrineDrugTest }) var urineTest: UrineDrugTest?
    @Option(help: "Readiness to change: precontemplation, contemplation, preparation, action or maintenance.",
            transform: { try Parse.choice($0, "readiness stage") as ReadinessStage }) var readiness: ReadinessStage?
    @Option(name: .customLong("next-visit"), help: ArgumentHelp("Date of the next visit.", valueName: "yyyy-mm-dd"), transform: Parse.date) var nextVisit: LocalDate?
    @Option(help: "A note for the record.") var note: String?
    @Option(help: ArgumentHelp("The day of the visit, when entered later (default today).", valueName: "yyyy-mm-dd"), transform: Parse.date) var on: LocalDate?
    @Option(name: .customLong("goal"), help: ArgumentHelp("Progress on a goal; repeat for each.", valueName: "number:progress")) var goalProgress: [String] = []

    func run() async throws {
        let clinic = Clinic(store: try store.open())
        let loaded = try clinic.chart(patient.patient)
        let goals = try goalProgress.map { entry -> GoalCheck in
            let parts = entry.split(separator: ":", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--goal takes NUMBER:PROGRESS, e.g. 1:some; '\(entry)' is not that.") }
            let progress: GoalProgress = try Parse.choice(parts[1], "progress")
            return GoalCheck(goal: try loaded.goal(parts[0]).id, progress: progress)
        }
        var checkin = CheckinRecorded(peg: peg, phq2: phq2, cows: cows, currentDose: currentDose, sleep: sleep, mood: mood,
                                      goals: goals.isEmpty ? nil : goals, sideEffects: sideEffects, withdrawal: withdrawal,
                                      selfHarmConcern: selfHarmConcern, naloxoneOnHand: naloxoneOnHand, pdmpChecked: pdmpChecked, urineDrugTest: urineTest,
                                      readiness: readiness, nextVisit: nextVisit, note: note, on: on)
        let terminal = Terminal.isInteractive ? Terminal(coaching: .checkin) : nil
        if let terminal {
            guard let answered = try CheckinFlow(terminal: terminal, record: loaded.record, preset: checkin).run() else {
                return print("Nothing was written.")
            }
            checkin = answered
        }
        let (recorded, taperFlags) = try await Terminal.writing(terminal) { try await clinic.recordCheckin(loaded, checkin) }
        try Report.recorded(recorded.event, output, "Recorded the check-in for \(loaded.record.name)\(Timeline.summary(of: .checkinRecorded(checkin)).dropFirst("Check-in".count))")
        // What this check-in means for a taper in progress is shown at once, not left for `accord flags`.
        if !output.json { for flag in taperFlags { print(FlagText.line(flag)) } }
    }
}
