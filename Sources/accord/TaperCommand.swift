import AccordCore
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

    /// The plan named by id prefix, or the patient's one plan that is not completed.
    static func plan(_ loaded: LoadedPatient, _ reference: String?) throws -> TaperPlanState {
        let open = loaded.record.taperPlans.filter { $0.status != .completed }
        if let reference {
            guard let plan = loaded.record.taperPlans.first(where: { $0.id.hasPrefix(reference.lowercased()) }) else {
                throw CommandFailure("This patient has no taper plan '\(reference)'; `accord taper show` lists them.")
            }
            return plan
        }
        guard let plan = open.last else {
            throw CommandFailure("This patient has no taper in progress; start one with `accord taper plan`.")
        }
        return plan
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
    struct Plan: ParsableCommand {
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

        func run() throws {
            let line = try Parse.medication(med, confirmed: confirmDose)
            let store = try common.store.open()
            let loaded = try LoadedPatient.load(store, common.patient.patient)
            if let open = loaded.record.taperPlans.last(where: { $0.status != .completed }) {
                throw CommandFailure("\(loaded.record.name) already has a taper in progress (\(open.medication)); adjust, pause or complete it first. Nothing was written.")
            }
            let start = self.start ?? loaded.today
            let pace = TaperPlanning.pace(given: duration, onOpioidsSince: onOpioidsSince, record: loaded.record, on: start, calendar: loaded.calendar)
            let proposal: TaperPlanning.Proposal
            do {
                proposal = try TaperPlanning.propose(line, ratePercent: rate, intervalDays: every, basis: of, start: start, pace: pace)
            } catch {
                throw CommandFailure("Cannot plan this taper: \(error.message).")
            }
            let terminal = Terminal.isInteractive ? Terminal(coaching: .taper) : nil
            if !common.output.json || terminal != nil {
                print("Proposed taper for \(loaded.record.name): \(med), from \(Timeline.formatScore(proposal.startingDose)) \(proposal.unit)/day, \(Timeline.formatScore(rate))% of the \(of.rawValue) dose every \(every) days or longer where the strengths force a bigger cut")
                for row in TaperCommand.render(proposal.steps, startingDose: proposal.startingDose) { print(row) }
                print("  Pace checked against \(pace.duration.rawValue) use (\(pace.reason)). [\(Source.hhs2019.rawValue)]")
                if let warning = proposal.warning { print(FlagText.line(warning)) }
                print("  Agree the pace with the patient, follow up at least monthly, and slow down or pause for significant withdrawal.")
            }
            do { try TaperPlanning.requireReason(for: proposal.warning, fasterReason: fasterReason) } catch { throw CommandFailure(error.message + ".") }
            let payload = TaperStarted(plan: Identifiers.make(), medication: med, ratePercent: rate, intervalDays: every, basis: of,
                                       durationOfUse: pace.duration, onOpioidsSince: onOpioidsSince ?? loaded.record.onOpioidsSince,
                                       steps: proposal.steps,
                                       note: [note, fasterReason.map { "Faster than the tapering guide: \($0)" }].compactMap { $0 }.joined(separator: " ").nilIfEmpty)
            if let terminal, !yes, try !terminal.confirm("Record this taper plan?") { return print("Nothing was written.") }
            let draft = loaded.draft(.taperStarted(payload), signing: common.signing)
            let event = try (terminal?.whileWriting { try store.append(draft) } ?? store.append(draft))
            try Report.recorded(event, common.output, "Recorded the taper plan (\(proposal.steps.count) steps)")
        }
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause the taper: the dose is held and later steps move when it resumes.")
        @OptionGroup var common: Common
        @Option(help: "The plan's id prefix (default: the one in progress).") var plan: String?
        @Option(help: ArgumentHelp("Date the pause starts (default today).", valueName: "yyyy-mm-dd"), transform: Parse.date) var on: LocalDate?
        @Option(help: "Why the taper is paused, e.g. withdrawal symptoms.") var reason: String

        func run() throws {
            try TaperCommand.change(common, plan) { plan, today in
                guard plan.status == .active else { throw CommandFailure("That taper is \(plan.status.rawValue), not active; nothing to pause.") }
                return .taperPaused(TaperPaused(plan: plan.id, on: on ?? today, reason: reason))
            } text: { _ in "Paused the taper; the dose is held" }
        }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused taper from the held dose.")
        @OptionGroup var common: Common
        @Option(help: "The plan's id prefix (default: the one in progress).") var plan: String?
        @Option(help: ArgumentHelp("Date the taper resumes (default today).", valueName: "yyyy-mm-dd"), transform: Parse.date) var on: LocalDate?
        @Option(help: "A note for the record.") var note: String?

        func run() throws {
            try TaperCommand.change(common, plan) { plan, today in
                guard plan.status == .paused, let pausedOn = plan.pausedOn else { throw CommandFailure("That taper is not paused; nothing to resume.") }
                let date = on ?? today
                guard date >= pausedOn else { throw ValidationError("The taper cannot resume (\(date)) before it was paused (\(pausedOn)).") }
                return .taperResumed(TaperResumed(plan: plan.id, on: date, note: note))
            } text: { _ in "Resumed the taper; later steps moved by the length of the pause" }
        }
    }

    struct Adjust: ParsableCommand {
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

        func run() throws {
            let store = try common.store.open()
            let loaded = try LoadedPatient.load(store, common.patient.patient)
            let plan = try TaperCommand.plan(loaded, self.plan)
            let line = try Parse.medication(plan.medication, confirmed: true)
            let effective = from ?? loaded.today
            let pace = TaperPlanning.pace(given: plan.durationOfUse, onOpioidsSince: nil, record: loaded.record, on: effective, calendar: loaded.calendar)
            let adjustment: TaperPlanning.Adjustment
            do {
                adjustment = try TaperPlanning.adjust(plan, line: line, ratePercent: rate, intervalDays: every, effectiveOn: effective,
                                                      dose: dose, reason: reason, pace: pace)
            } catch {
                throw CommandFailure("Cannot adjust this taper: \(error.message). Nothing was written.")
            }
            let unit = line.doseUnit
            if !common.output.json {
                if adjustment.increase { print("  ! Going back up from \(Timeline.formatScore(adjustment.current)) to \(Timeline.formatScore(adjustment.continueFrom)) \(unit)/day; the reason is recorded. [\(Source.hhs2019.rawValue)]") }
                for row in TaperCommand.render(adjustment.steps, startingDose: adjustment.current) { print(row) }
                if let warning = adjustment.warning { print(FlagText.line(warning)) }
            }
            do { try TaperPlanning.requireReason(for: adjustment.warning, fasterReason: fasterReason) } catch { throw CommandFailure(error.message + ".") }
            let recordedReason = (adjustment.increase ? "Dose increased from \(Timeline.formatScore(adjustment.current)) to \(Timeline.formatScore(adjustment.continueFrom)) \(unit): \(reason)" : reason)
                + (fasterReason.map { " Faster than the tapering guide: \($0)" } ?? "")
            let event = try store.append(loaded.draft(.taperAdjusted(TaperAdjusted(
                plan: plan.id, effectiveOn: effective, ratePercent: rate, intervalDays: every, steps: adjustment.steps,
                reason: recordedReason)), signing: common.signing))
            try Report.recorded(event, common.output, "Adjusted the taper from \(effective)")
        }
    }

    struct Complete: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "complete", abstract: "Mark the taper as completed.")
        @OptionGroup var common: Common
        @Option(help: "The plan's id prefix (default: the one in progress).") var plan: String?
        @Option(help: ArgumentHelp("Completion date (default today).", valueName: "yyyy-mm-dd"), transform: Parse.date) var on: LocalDate?
        @Option(help: "A note for the record.") var note: String?

        func run() throws {
            try TaperCommand.change(common, plan) { plan, today in
                .taperCompleted(TaperCompleted(plan: plan.id, on: on ?? today, note: note))
            } text: { _ in "Marked the taper completed" }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the patient's taper plans as the log has them now.")
        @OptionGroup var common: Common

        func run() throws {
            let loaded = try LoadedPatient.load(try common.store.open(), common.patient.patient)
            let plans = loaded.record.taperPlans
            if common.output.json { return try Output.json(plans) }
            if plans.isEmpty { return print("\(loaded.record.name) has no taper plans (accord taper plan).") }
            let today = loaded.today
            for plan in plans {
                let start = (try? MedicationReader.read(plan.medication))?.dailyDose ?? plan.steps.first?.dailyDose ?? 0
                print("\(plan.medication) [\(plan.status.rawValue)\(plan.pausedOn.map { " since \($0)" } ?? "")] \(Timeline.formatScore(plan.ratePercent))% every \(plan.intervalDays) days (plan \(plan.id.prefix(8)))")
                for row in TaperCommand.render(plan.steps, startingDose: start, heldFrom: plan.status == .paused ? plan.pausedOn : nil,
                                               today: plan.status == .completed ? nil : today) { print(row) }
                for entry in plan.history { print("  \(loaded.calendar.day(ofTimestamp: entry.stamp.at)?.description ?? String(entry.stamp.at.prefix(10))) \(entry.change)\(entry.detail.map { ": \($0)" } ?? "") (\(entry.stamp.by))") }
            }
        }
    }

    /// Records one event on a plan, building on the plan's latest events.
    static func change(_ common: Common, _ reference: String?, _ make: (TaperPlanState, LocalDate) throws -> EventPayload, text: (TaperPlanState) -> String) throws {
        let store = try common.store.open()
        let loaded = try LoadedPatient.load(store, common.patient.patient)
        let plan = try TaperCommand.plan(loaded, reference)
        guard plan.status != .completed else { throw CommandFailure("That taper is completed; nothing more can be recorded on it.") }
        let event = try store.append(loaded.draft(try make(plan, loaded.today), signing: common.signing))
        try Report.recorded(event, common.output, text(plan))
    }
}
