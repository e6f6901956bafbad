import AccordCore
import AccordKit
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

    /// Records one change to an existing goal through the clinic.
    static func record(_ common: Common, goal reference: String,
                       _ change: (Clinic, PatientChart, GoalState) async throws -> Clinic.Recorded, _ text: (GoalState) -> String) async throws {
        let clinic = Clinic(store: try common.store.open())
        let chart = try clinic.chart(common.patient.patient)
        let goal = try chart.goal(reference)
        let recorded = try await change(clinic, chart, goal)
        try Report.recorded(recorded.event, common.output, text(goal), goal: goal.id)
    }
}

extension GoalCommand {
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add", abstract: "Set a new functional goal.")
        @OptionGroup var common: Common
        @Option(help: "The goal in the patient's words, e.g. \"walk to the mailbox\".") var text: String
        @Option(help: "How progress will be judged, e.g. \"PEG score\" or \"minutes walked\".") var measure: String?
        @Option(help: ArgumentHelp("When to look at it again.", valueName: "yyyy-mm-dd"), transform: Parse.date) var target: LocalDate?

        func run() async throws {
            let clinic = Clinic(store: try common.store.open())
            let chart = try clinic.chart(common.patient.patient)
            let recorded = try await clinic.setGoal(chart, description: text, measure: measure, target: target)
            try Report.recorded(recorded.event, common.output, "Set goal \(chart.record.goals.count + 1) for \(chart.record.name): \(text)", goal: recorded.goal)
        }
    }

    struct Revise: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "revise", abstract: "Reword a goal or change its measure or date.")
        @OptionGroup var common: Common
        @Option(help: "The goal: its number in `accord patient show` or an id prefix.") var goal: String
        @Option(help: "The revised goal.") var text: String
        @Option(help: "The revised measure.") var measure: String?
        @Option(help: ArgumentHelp("The revised target date.", valueName: "yyyy-mm-dd"), transform: Parse.date) var target: LocalDate?
        @Option(help: "Why it changed.") var reason: String?

        func run() async throws {
            try await GoalCommand.record(common, goal: goal, { clinic, chart, goal in
                try await clinic.reviseGoal(chart, goal: goal, description: text, measure: measure, target: target, reason: reason)
            }, { _ in "Revised the goal: \(text)" })
        }
    }

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "review", abstract: "Record how a goal is going, judged with the patient.")
        @OptionGroup var common: Common
        @Option(help: "The goal: its number in `accord patient show` or an id prefix.") var goal: String
        @Option(help: ArgumentHelp("Progress: none, some, most or achieved.", valueName: "progress"),
                transform: { try Parse.choice($0, "progress") as GoalProgress }) var progress: GoalProgress
        @Option(help: "What the patient reported.") var note: String?
        @Option(help: ArgumentHelp("The day of the review, when entered later (default today).", valueName: "yyyy-mm-dd"), transform: Parse.date) var on: LocalDate?

        func run() async throws {
            try await GoalCommand.record(common, goal: goal, { clinic, chart, goal in
                try await clinic.reviewGoal(chart, goal: goal, progress: progress, note: note, on: on)
            }, { goal in "Reviewed \"\(goal.description)\": \(progress.rawValue) progress" })
        }
    }

    struct Met: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "met", abstract: "Mark a goal as met.")
        @OptionGroup var common: Common
        @Option(help: "The goal: its number in `accord patient show` or an id prefix.") var goal: String
        @Option(help: "A note on how it was met.") var note: String?

        func run() async throws {
            try await GoalCommand.record(common, goal: goal, { clinic, chart, goal in try await clinic.meetGoal(chart, goal: goal, note: note) },
                                   { goal in "Marked \"\(goal.description)\" as met" })
        }
    }

    struct Drop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "drop", abstract: "Drop a goal that no longer fits, with the reason.")
        @OptionGroup var common: Common
        @Option(help: "The goal: its number in `accord patient show` or an id prefix.") var goal: String
        @Option(help: "Why the goal is dropped.") var reason: String

        func run() async throws {
            try await GoalCommand.record(common, goal: goal, { clinic, chart, goal in try await clinic.dropGoal(chart, goal: goal, reason: reason) },
                                   { goal in "Dropped \"\(goal.description)\"" })
        }
    }
}
