import AccordCore
import AccordKit
import AccordStore
import ArgumentParser

struct TaperCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taper",
        abstract: "Plan and follow a taper agreed with the patient: plan, pause, resume, adjust, complete, show.",
        discussion: "Accord proposes steps at the pace the clinician chooses and warns, with its source, when the pace is faster than the tapering guide; it never chooses the dose.",
        subcommands: [Plan.self, Pause.self, Resume.self, Adjust.self, Complete.self, Show.self]
    )

    struct Common: ParsableArguments {
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var patient: PatientOption
        @OptionGroup var signature: SignatureOptions
        @OptionGroup var agreed: PatientAgreedOption

        var signing: SigningIntent { signature.intent(patientAgreed: agreed.method) }
    }

    /// "30d", "2w", "4 weeks", "1m" (30 days), "month", "week".
    static func interval(_ text: String) throws -> Int {
        let trimmed = text.lowercased().replacingOccurrences(of: " ", with: "")
        let digits = trimmed.prefix { $0.isNumber }
        let unit = trimmed.dropFirst(digits.count)
        let count = digits.isEmpty ? 1 : Int(digits) ?? 0
        let days: Int? = switch unit {
        case "d", "day", "days": count
        case "w", "wk", "week", "weeks": count * 7
        case "m", "mo", "month", "months": count * 30
        default: nil
        }
        guard let days, (1...366).contains(days) else {
            throw ValidationError("'\(text)' is not an interval; write it like 1w, 2w, 4w, 30d or 1m (a month is 30 days), up to a year.")
        }
        return days
    }

    static func rate(_ text: String) throws -> Double {
        guard let value = Double(text.replacingOccurrences(of: "%", with: "")), value > 0, value <= 50 else {
            throw ValidationError("'\(text)' is not a taper rate; give a percent more than 0 and at most 50, e.g. 10.")
        }
        return value
    }

    static func render(_ steps: [TaperStep], startingDose: Double, heldFrom: LocalDate? = nil, today: LocalDate? = nil) -> [String] {
        var lines = ["  step  date        daily dose      change"]
        var previous = startingDose
        for (index, step) in steps.enumerated() {
            let percent = previous > 0 ? (step.dailyDose - previous) / previous * 100 : 0
            let change = previous > 0 && step.dailyDose != previous ? "\(percent > 0 ? "+" : "")\(Timeline.formatScore(percent))%" : ""
            var marks = ""
            if let today, step.on <= today, steps.indices.contains(index + 1) ? steps[index + 1].on > today : true { marks += "  <- now" }
            if let heldFrom, step.on > heldFrom { marks += "  (moves when the pause ends)" }
            let dose = "\(Timeline.formatScore(step.dailyDose)) \(step.unit)"
            lines.append("  \(String(index + 1).padding(toLength: 4, withPad: " ", startingAt: 0))  \(step.on)  \(dose.padding(toLength: 14, withPad: " ", startingAt: 0))  \(change.padding(toLength: 6, withPad: " ", startingAt: 0))\(step.instruction.map { "  \($0)" } ?? "")\(marks)")
            previous = step.dailyDose
        }
        return lines
    }
}

extension TaperCommand {
    struct Plan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "plan", 
            abstract: "Propose a taper schedule, show it, and record it once confirmed.",
            discussion: "--of original takes the rate of the starting dose until about 30% remains, then of what remains (HHS 2019). On a terminal the schedule is shown and Accord asks before recording."
        )
        @OptionGroup var common: Common
        @Option(help: ArgumentHelp("The opioid being tapered, e.g. \"oxycodone 10 mg q6h\".", valueName: "text")) var med: String
        @Option(help: ArgumentHelp("Percent to reduce at each step, e.g. 10.", valueName: "percent"), transform: TaperCommand.rate) var rate: Double
        @Option(help: ArgumentHelp("Time between steps: 1w, 2w, 4w, 30d, 1m.", valueName: "interval"), transform: TaperCommand.interval) var every: Int
        @Option(help: ArgumentHelp("Reduce by a percent of the current or the original dose (default current).", valueName: "basis"),
                transform: { try Parse.choice($0, "taper basis") as TaperBasis }) var of: TaperBasis = .current
        @Option(help: ArgumentHelp("Date of the first step (default today).", valueName: "yyyy-mm-dd"), transform: Parse.date) var start: LocalDate?
        @Option(help: ArgumentHelp("How long the patient has used opioids: long-term or weeks-to-months (default: from --on-opioids-since or the record).", valueName: "duration"),
                transform: { try Parse.choice($0, "duration of use") as OpioidUseDuration }) var duration: OpioidUseDuration?
        @Option(name: .customLong("on-opioids-since"), help: ArgumentHelp("When the patient started taking opioids, if known; sets the pace.", valueName: "yyyy-mm-dd"),
                transform: Parse.date) var onOpioidsSince: LocalDate?
        @Option(name: .customLong("faster-reason"), help: "Why a pace faster than the tapering guide is needed (required to record one).") var fasterReason: String?
        @Flag(name: .customLong("confirm-dose"), help: "Record a dose Accord finds unusual (see the message).") var confirmDose = false
        @Option(help: "A note for the record.") var note: String?
        @Flag(help: "On a terminal, record without asking for confirmation.") var yes = false

        func run() async throws {
            let clinic = Clinic(store: try common.store.open())
            let loaded = try clinic.chart(common.patient.patient)
            let proposal = try clinic.proposeTaper(loaded, medication: med, ratePercent: rate, intervalDays: every, basis: of, start: start,
                                                   duration: duration, onOpioidsSince: onOpioidsSince, confirmUnusual: confirmDose)
            let terminal = Terminal.isInteractive ? Terminal(coaching: .taper) : nil
            if !common.output.json || terminal != nil {
                print("Proposed taper for \(loaded.record.name): \(med), from \(Timeline.formatScore(proposal.startingDose)) \(proposal.unit)/day, \(Timeline.formatScore(rate))% of the \(of.rawValue) dose every \(every) days or longer where the strengths force a bigger cut")
                for row in TaperCommand.render(proposal.steps, startingDose: proposal.startingDose) { print(row) }
                print("  Pace checked against \(proposal.pace.duration.rawValue) use (\(proposal.pace.reason)). [\(Source.hhs2019.rawValue)]")
                if let warning = proposal.warning { print(FlagText.line(warning)) }
                print("  Agree the pace with the patient, follow up at least monthly, and slow down or pause for significant withdrawal.")
            }
            if proposal.warning != nil, fasterReason == nil {
                throw CommandFailure("\(proposal.warning!.title): faster than the tapering guide. Slow the pace, or give the reason this patient needs it (for example a life-threatening situation) with --faster-reason; nothing was written.")
            }
            if let terminal, !yes, try !terminal.confirm("Record this taper plan?") { return print("Nothing was written.") }
            let recorded = try await Terminal.writing(terminal) {
                try await clinic.startTaper(loaded, proposal, ratePercent: rate, intervalDays: every, basis: of, onOpioidsSince: onOpioidsSince,
                                            fasterReason: fasterReason, note: note, signing: common.signing)
            }
            try Report.recorded(recorded.event, common.output, "Recorded the taper plan (\(proposal.steps.count) steps)")
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause the taper: the dose is held and later steps move when it resumes.")
        @OptionGroup var common: Common
        @Option(help: "The plan's id prefix (default: the one in progress).") var plan: String?
        @Option(help: ArgumentHelp("Date the pause starts (default today).", valueName: "yyyy-mm-dd"), transform: Parse.date) var on: LocalDate?
        @Option(help: "Why the taper is paused, e.g. withdrawal symptoms.") var reason: String

        func run() async throws {
            try await TaperCommand.change(common, plan) { clinic, chart, plan, signing in
                try await clinic.pauseTaper(chart, plan: plan, on: on, reason: reason, signing: signing)
            } text: { _ in "Paused the taper; the dose is held" }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused taper from the held dose.")
        @OptionGroup var common: Common
        @Option(help: "The plan's id prefix (default: the one in progress).") var plan: String?
        @Option(help: ArgumentHelp("Date the taper resumes (default today).", valueName: "yyyy-mm-dd"), transform: Parse.date) var on: LocalDate?
        @Option(help: "A note for the record.") var note: String?

        func run() async throws {
            try await TaperCommand.change(common, plan) { clinic, chart, plan, signing in
                try await clinic.resumeTaper(chart, plan: plan, on: on, note: note, signing: signing)
            } text: { _ in "Resumed the taper; later steps moved by the length of the pause" }
        }
    }

    struct Adjust: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "adjust", 
            abstract: "Record a new pace from a date: the steps from then on are proposed again.",
            discussion: "The new steps start from the dose in effect on --from, or from --dose. Going back up to a higher dose is allowed only with a reason, which is recorded."
        )
        @OptionGroup var common: Common
        @Option(help: "The plan's id prefix (default: the one in progress).") var plan: String?
        @Option(help: ArgumentHelp("New percent per step.", valueName: "percent"), transform: TaperCommand.rate) var rate: Double
        @Option(help: ArgumentHelp("New time between steps.", valueName: "interval"), transform: TaperCommand.interval) var every: Int
        @Option(help: ArgumentHelp("Date the new pace starts (default today).", valueName: "yyyy-mm-dd"), transform: Parse.date) var from: LocalDate?
        @Option(help: ArgumentHelp("Daily dose to continue from, in the drug's unit (default: the dose in effect).", valueName: "amount")) var dose: Double?
        @Option(help: "Why the pace changes (required; for an increase, the reassessment that supports it).") var reason: String
        @Option(name: .customLong("faster-reason"), help: "Why a pace faster than the tapering guide is needed (required to record one).") var fasterReason: String?

        func run() async throws {
            let clinic = Clinic(store: try common.store.open())
            let loaded = try clinic.chart(common.patient.patient)
            let plan = try loaded.taperPlan(self.plan)
            let adjustment = try clinic.proposeAdjustment(loaded, plan: plan, ratePercent: rate, intervalDays: every, effectiveOn: from,
                                                          dose: dose, reason: reason)
            let unit = adjustment.steps.first?.unit ?? ""
            if !common.output.json {
                if adjustment.increase { print("  ! Going back up from \(Timeline.formatScore(adjustment.current)) to \(Timeline.formatScore(adjustment.continueFrom)) \(unit)/day; the reason is recorded. [\(Source.hhs2019.rawValue)]") }
                for row in TaperCommand.render(adjustment.steps, startingDose: adjustment.current) { print(row) }
                if let warning = adjustment.warning { print(FlagText.line(warning)) }
            }
            let recorded = try await clinic.adjustTaper(loaded, plan: plan, adjustment, ratePercent: rate, intervalDays: every, reason: reason,
                                                        fasterReason: fasterReason, signing: common.signing)
            try Report.recorded(recorded.event, common.output, "Adjusted the taper from \(adjustment.steps.first?.on.description ?? "")")
        }
    }

    struct Complete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "complete", abstract: "Mark the taper as completed.")
        @OptionGroup var common: Common
        @Option(help: "The plan's id prefix (default: the one in progress).") var plan: String?
        @Option(help: ArgumentHelp("Completion date (default today).", valueName: "yyyy-mm-dd"), transform: Parse.date) var on: LocalDate?
        @Option(help: "A note for the record.") var note: String?

        func run() async throws {
            try await TaperCommand.change(common, plan) { clinic, chart, plan, signing in
                try await clinic.completeTaper(chart, plan: plan, on: on, note: note, signing: signing)
            } text: { _ in "Marked the taper completed" }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the patient's taper plans as the log has them now.")
        // Showing signs nothing, so it takes none of the options of the commands that record.
        @OptionGroup var store: StoreOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var patient: PatientOption

        /// A plan with every key present, `pausedOn` null when the plan is not paused.
        struct PlanJSON: Encodable {
            let plan: TaperPlanState
            enum Keys: String, CodingKey { case pausedOn }
            func encode(to encoder: any Encoder) throws {
                try plan.encode(to: encoder)
                var container = encoder.container(keyedBy: Keys.self)
                try container.encode(plan.pausedOn, forKey: .pausedOn)
            }
        }

        func run() throws {
            let loaded = try LoadedPatient.load(try store.open(), patient.patient)
            let plans = loaded.record.taperPlans
            if output.json { return try Output.json(plans.map(PlanJSON.init)) }
            if plans.isEmpty { return print("\(loaded.record.name) has no taper plans (accord taper plan).") }
            let today = loaded.today
            for plan in plans {
                let start = (try? MedicationReader.read(plan.medication))?.dailyDose ?? plan.steps.first?.dailyDose ?? 0
                print("\(plan.medication) [\(plan.status.rawValue)\(plan.pausedOn.map { " since \($0)" } ?? "")] \(Timeline.formatScore(plan.ratePercent))% every \(plan.intervalDays) days (plan \(plan.id.prefix(8)))")
                if let conflict = loaded.record.conflicts.first(where: { $0.entity == .taperPlan(plan.id) }) {
                    print("  IN CONFLICT: the steps below are what both sides share; each side's plan follows. Keep one before changing the plan.")
                    for line in ConflictText.lines(conflict, patient: loaded.record.id, calendar: loaded.calendar) { print("  ! " + line) }
                }
                for row in TaperCommand.render(plan.steps, startingDose: start, heldFrom: plan.status == .paused ? plan.pausedOn : nil,
                                               today: plan.status == .completed ? nil : today) { print(row) }
                for entry in plan.history { print("  \(loaded.calendar.day(ofTimestamp: entry.stamp.at)?.description ?? String(entry.stamp.at.prefix(10))) \(entry.change)\(entry.detail.map { ": \($0)" } ?? "") (\(entry.stamp.by))") }
            }
        }
    }

    /// Records one change to a plan through the clinic.
    static func change(_ common: Common, _ reference: String?,
                       _ make: (Clinic, PatientChart, TaperPlanState, SigningIntent) async throws -> Clinic.Recorded,
                       text: (TaperPlanState) -> String) async throws {
        let clinic = Clinic(store: try common.store.open())
        let chart = try clinic.chart(common.patient.patient)
        let plan = try chart.taperPlan(reference)
        let recorded = try await make(clinic, chart, plan, common.signing)
        try Report.recorded(recorded.event, common.output, text(plan))
    }
}
