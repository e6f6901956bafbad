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

    /// The pace to check a patient's schedule against: given, or from how long the medication list has held an opioid.
    static func duration(_ given: OpioidUseDuration?, _ record: PatientRecord, start: LocalDate) -> (OpioidUseDuration, String) {
        if let given { return (given, "as given") }
        if let since = MedicationHistory.opioidsSince(record.medicationSummaries) {
            let days = since.days(until: start)
            return days >= 365 ? (.longTerm, "opioids on the list since \(since)") : (.weeksToMonths, "opioids on the list since \(since)")
        }
        return (.longTerm, "no opioid history recorded, so the slower long-term pace is assumed")
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
        @Option(help: ArgumentHelp("How long the patient has used opioids: long-term or weeks-to-months (default: from the medication list).", valueName: "duration"),
                transform: { try Parse.choice($0, "duration of use") as OpioidUseDuration }) var duration: OpioidUseDuration?
        @Option(help: "A note for the record.") var note: String?
        @Flag(help: "On a terminal, record without asking for confirmation.") var yes = false

        func run() throws {
            let line = try Parse.medication(med)
            let start = self.start ?? .today()
            let steps: [TaperStep]
            do { steps = try TaperScheduler.propose(line, ratePercent: rate, intervalDays: every, basis: of, start: start) } catch {
                throw CommandFailure("Cannot plan this taper: \(error.message).")
            }
            let store = try common.store.open()
            let loaded = try LoadedPatient.load(store, common.patient.patient)
            if let open = loaded.record.taperPlans.last(where: { $0.status != .completed }) {
                throw CommandFailure("\(loaded.record.name) already has a taper in progress (\(open.medication)); adjust, pause or complete it first. Nothing was written.")
            }
            let (useDuration, why) = TaperCommand.duration(duration, loaded.record, start: start)
            let warning = TaperPace.check(steps: steps, startingDose: line.dailyDose ?? 0, duration: useDuration,
                                          smallestUnit: line.drug?.strengths.first ?? 0, startedOn: start.adding(days: -every))
            let payload = TaperStarted(plan: Identifiers.make(), medication: med, ratePercent: rate, intervalDays: every, basis: of,
                                       durationOfUse: useDuration, steps: steps, note: note)
            let terminal = Terminal.isInteractive ? Terminal(coaching: .taper) : nil
            if !common.output.json || terminal != nil {
                print("Proposed taper for \(loaded.record.name): \(med), from \(Timeline.formatScore(line.dailyDose ?? 0)) \(line.drug?.unit ?? "")/day, \(Timeline.formatScore(rate))% of the \(of.rawValue) dose every \(every) days")
                for row in TaperCommand.render(steps, startingDose: line.dailyDose ?? 0) { print(row) }
                print("  Pace checked against \(useDuration.rawValue) use (\(why)). [\(Source.hhs2019.rawValue)]")
                if let warning { print(FlagText.line(warning)) }
                print("  Agree the pace with the patient, follow up at least monthly, and slow down or pause for significant withdrawal.")
            }
            if let terminal, !yes, try !terminal.confirm("Record this taper plan?") { return print("Nothing was written.") }
            let draft = loaded.draft(.taperStarted(payload), signing: common.signing)
            let event = try (terminal?.whileWriting { try store.append(draft) } ?? store.append(draft))
            try Report.recorded(event, common.output, "Recorded the taper plan (\(steps.count) steps)")
        }
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause the taper: the dose is held and later steps move when it resumes.")
        @OptionGroup var common: Common
        @Option(help: "The plan's id prefix (default: the one in progress).") var plan: String?
        @Option(help: ArgumentHelp("Date the pause starts (default today).", valueName: "yyyy-mm-dd"), transform: Parse.date) var on: LocalDate?
        @Option(help: "Why the taper is paused, e.g. withdrawal symptoms.") var reason: String

        func run() throws {
            try TaperCommand.change(common, plan) { plan in
                guard plan.status == .active else { throw CommandFailure("That taper is \(plan.status.rawValue), not active; nothing to pause.") }
                return .taperPaused(TaperPaused(plan: plan.id, on: on ?? .today(), reason: reason))
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
            try TaperCommand.change(common, plan) { plan in
                guard plan.status == .paused, let pausedOn = plan.pausedOn else { throw CommandFailure("That taper is not paused; nothing to resume.") }
                let date = on ?? .today()
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

        func run() throws {
            let store = try common.store.open()
            let loaded = try LoadedPatient.load(store, common.patient.patient)
            let plan = try TaperCommand.plan(loaded, self.plan)
            guard plan.status != .completed else { throw CommandFailure("That taper is completed; plan a new one instead.") }
            let line = try Parse.medication(plan.medication)
            let effective = from ?? .today()
            let current = TaperScheduler.dose(on: effective, steps: plan.steps, before: line.dailyDose) ?? 0
            let continueFrom = dose ?? current
            guard continueFrom > 0 else { throw CommandFailure("The dose in effect on \(effective) is 0; there is nothing left to taper.") }
            let increase = continueFrom > current + 1e-9
            guard let drug = line.drug else { throw CommandFailure("The plan's medication has no strength to work from.") }
            let steps: [TaperStep]
            do {
                steps = try TaperScheduler.propose(drug: drug, startDose: continueFrom, ratePercent: rate, intervalDays: every,
                                                   basis: .current, start: effective.adding(days: every))
            } catch {
                throw CommandFailure("Cannot plan this pace: \(error.message).")
            }
            let held = [TaperStep(on: effective, dailyDose: continueFrom, unit: drug.unit, instruction: increase ? "increased: \(reason)" : nil)]
            let event = try store.append(loaded.draft(.taperAdjusted(TaperAdjusted(
                plan: plan.id, effectiveOn: effective, ratePercent: rate, intervalDays: every, steps: held + steps,
                reason: increase ? "Dose increased from \(Timeline.formatScore(current)) to \(Timeline.formatScore(continueFrom)) \(drug.unit): \(reason)" : reason)),
                signing: common.signing))
            if !common.output.json {
                if increase { print("  ! Going back up from \(Timeline.formatScore(current)) to \(Timeline.formatScore(continueFrom)) \(drug.unit)/day; the reason is recorded. [\(Source.hhs2019.rawValue)]") }
                for row in TaperCommand.render(held + steps, startingDose: current) { print(row) }
            }
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
            try TaperCommand.change(common, plan) { plan in
                .taperCompleted(TaperCompleted(plan: plan.id, on: on ?? .today(), note: note))
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
            let today = LocalDate.today()
            for plan in plans {
                let start = (try? MedicationReader.read(plan.medication))?.dailyDose ?? plan.steps.first?.dailyDose ?? 0
                print("\(plan.medication) [\(plan.status.rawValue)\(plan.pausedOn.map { " since \($0)" } ?? "")] \(Timeline.formatScore(plan.ratePercent))% every \(plan.intervalDays) days (plan \(plan.id.prefix(8)))")
                for row in TaperCommand.render(plan.steps, startingDose: start, heldFrom: plan.status == .paused ? plan.pausedOn : nil,
                                               today: plan.status == .completed ? nil : today) { print(row) }
                for entry in plan.history { print("  \(entry.stamp.at.prefix(10)) \(entry.change)\(entry.detail.map { ": \($0)" } ?? "") (\(entry.stamp.by))") }
            }
        }
    }

    /// Records one event on a plan, building on the plan's latest events.
    static func change(_ common: Common, _ reference: String?, _ make: (TaperPlanState) throws -> EventPayload, text: (TaperPlanState) -> String) throws {
        let store = try common.store.open()
        let loaded = try LoadedPatient.load(store, common.patient.patient)
        let plan = try TaperCommand.plan(loaded, reference)
        guard plan.status != .completed else { throw CommandFailure("That taper is completed; nothing more can be recorded on it.") }
        let event = try store.append(loaded.draft(try make(plan), signing: common.signing))
        try Report.recorded(event, common.output, text(plan))
    }
}
