import AccordCore
import AccordStore
import ArgumentParser

struct GoalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goal",
        abstract: "Set and follow functional goals (things the patient wants to do, not a pain score).",
        subcommands: [Add.self, Revise.self, Review.self, Met.self, Drop.self]
    )

    /// The options every goal command shares.
    struct Common: ParsableArguments {
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var patient: PatientOption
    }

    /// Records one event on an existing goal, building on the goal's latest events.
    static func record(_ common: Common, goal reference: String, _ make: (GoalState) -> EventPayload, _ text: (GoalState) -> String) throws {
        let store = try common.store.open()
        let loaded = try LoadedPatient.load(store, common.patient.patient)
        let goal = try loaded.goal(reference)
        let event = try store.append(loaded.draft(make(goal)))
        try Report.recorded(event, common.output, text(goal), goal: goal.id)
    }
}

extension GoalCommand {
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Set a new functional goal.")
        @OptionGroup var common: Common
        @Option(help: "The goal in the patient's words, e.g. \"walk to the mailbox\".") var text: String
        @Option(help: "How progress will be judged, e.g. \"PEG score\" or \"minutes walked\".") var measure: String?
        @Option(help: ArgumentHelp("When to look at it again.", valueName: "yyyy-mm-dd"), transform: Parse.date) var target: LocalDate?

        func run() throws {
            let store = try common.store.open()
            let loaded = try LoadedPatient.load(store, common.patient.patient)
            let goal = Identifiers.make()
            let event = try store.append(loaded.draft(.goalSet(
                GoalSet(goal: goal, description: text, measure: measure, targetDate: target))))
            try Report.recorded(event, common.output, "Set goal \(loaded.record.goals.count + 1) for \(loaded.record.name): \(text)", goal: goal)
        }
    }

    struct Revise: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revise", abstract: "Reword a goal or change its measure or date.")
        @OptionGroup var common: Common
        @Option(help: "The goal: its number in `accord patient show` or an id prefix.") var goal: String
        @Option(help: "The revised goal.") var text: String
        @Option(help: "The revised measure.") var measure: String?
        @Option(help: ArgumentHelp("The revised target date.", valueName: "yyyy-mm-dd"), transform: Parse.date) var target: LocalDate?
        @Option(help: "Why it changed.") var reason: String?

        func run() throws {
            try GoalCommand.record(common, goal: goal, { goal in
                .goalRevised(GoalRevised(goal: goal.id, description: text, measure: measure, targetDate: target, reason: reason))
            }, { _ in "Revised the goal: \(text)" })
        }
    }

    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "review", abstract: "Record how a goal is going, judged with the patient.")
        @OptionGroup var common: Common
        @Option(help: "The goal: its number in `accord patient show` or an id prefix.") var goal: String
        @Option(help: ArgumentHelp("Progress: none, some, most or achieved.", valueName: "progress"),
                transform: { try Parse.choice($0, "progress") as GoalProgress }) var progress: GoalProgress
        @Option(help: "What the patient reported.") var note: String?

        func run() throws {
            try GoalCommand.record(common, goal: goal, { goal in
                .goalReviewed(GoalReviewed(goal: goal.id, progress: progress, note: note))
            }, { goal in "Reviewed \"\(goal.description)\": \(progress.rawValue) progress" })
        }
    }

    struct Met: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "met", abstract: "Mark a goal as met.")
        @OptionGroup var common: Common
        @Option(help: "The goal: its number in `accord patient show` or an id prefix.") var goal: String
        @Option(help: "A note on how it was met.") var note: String?

        func run() throws {
            try GoalCommand.record(common, goal: goal, { goal in .goalMet(GoalMet(goal: goal.id, note: note)) },
                                   { goal in "Marked \"\(goal.description)\" as met" })
        }
    }

    struct Drop: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "drop", abstract: "Drop a goal that no longer fits, with the reason.")
        @OptionGroup var common: Common
        @Option(help: "The goal: its number in `accord patient show` or an id prefix.") var goal: String
        @Option(help: "Why the goal is dropped.") var reason: String

        func run() throws {
            try GoalCommand.record(common, goal: goal, { goal in .goalDropped(GoalDropped(goal: goal.id, reason: reason)) },
                                   { goal in "Dropped \"\(goal.description)\"" })
        }
    }
}
