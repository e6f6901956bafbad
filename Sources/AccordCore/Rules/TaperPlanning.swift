/// The rules around a taper plan, shared by every client: which pace the patient's history calls for, the
/// proposal checked against it, and what an adjustment may do. Accord proposes; the clinician decides.
public enum TaperPlanning {
    /// The pace a taper is checked against, and why.
    public struct Pace: Sendable, Equatable {
        /// The duration of use the pace follows.
        public let duration: OpioidUseDuration
        /// Why that duration: as given, from a recorded start, or assumed.
        public let reason: String
        /// A pace.
        public init(duration: OpioidUseDuration, reason: String) { self.duration = duration; self.reason = reason }
    }

    /// A proposed schedule with everything the clinician should see before recording it.
    public struct Proposal: Sendable, Equatable {
        /// The medication tapered.
        public let line: MedicationLine
        /// Its daily dose now.
        public let startingDose: Double
        /// The unit of the doses.
        public let unit: String
        /// The proposed steps.
        public let steps: [TaperStep]
        /// The pace the steps are checked against.
        public let pace: Pace
        /// Set when a step goes faster than the guide's pace for this patient.
        public let warning: RiskFlag?
    }

    /// The pace from how long the patient has taken opioids: as given, else from the start date given or recorded,
    /// else from Accord's own lists when they already span a year. When unknown, the slower long-term pace.
    public static func pace(given: OpioidUseDuration?, onOpioidsSince: LocalDate?, record: PatientRecord?,
                            on day: LocalDate, calendar: ClinicCalendar = .utc) -> Pace {
        if let given { return Pace(duration: given, reason: "as given") }
        if let since = onOpioidsSince ?? record?.onOpioidsSince {
            let days = since.days(until: day)
            return Pace(duration: days >= 365 ? .longTerm : .weeksToMonths, reason: "on opioids since \(since)")
        }
        if let record, let since = MedicationHistory.opioidsSince(record, calendar: calendar), since.days(until: day) >= 365 {
            return Pace(duration: .longTerm, reason: "opioids on Accord's lists since \(since)")
        }
        return Pace(duration: .longTerm, reason: "how long the patient has taken opioids is not recorded, so the slower long-term pace is used; record it with --on-opioids-since")
    }

    /// A schedule for `line` at the clinician's pace, checked against the guide's.
    public static func propose(_ line: MedicationLine, ratePercent: Double, intervalDays: Int, basis: TaperBasis,
                               start: LocalDate, pace: Pace) throws(RuleViolation) -> Proposal {
        let steps = try TaperScheduler.propose(line, ratePercent: ratePercent, intervalDays: intervalDays, basis: basis, start: start)
        let startingDose = line.dailyDose ?? 0
        let warning = TaperPace.check(steps: steps, startingDose: startingDose, duration: pace.duration,
                                      smallestDose: smallestDose(line), startedOn: start.adding(days: -intervalDays))
        return Proposal(line: line, startingDose: startingDose, unit: line.doseUnit, steps: steps, pace: pace, warning: warning)
    }

    /// One dose of the smallest strength the line's formulation has: the pace is never measured against less.
    public static func smallestDose(_ line: MedicationLine) -> Double {
        (try? TaperFormulation(line))?.smallestDose ?? line.strengthsOfForm.first ?? 0
    }

    /// A schedule faster than the guide is recorded only with the clinician's reason.
    public static func requireReason(for warning: RiskFlag?, fasterReason: String?) throws(RuleViolation) {
        guard let warning else { return }
        guard let fasterReason, !fasterReason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw RuleViolation("\(warning.title): faster than the tapering guide. Slow the pace, or give the reason this patient needs it (for example a life-threatening situation)")
        }
    }

    /// A new pace from `effectiveOn`, from the dose in effect or `dose`.
    public struct Adjustment: Sendable, Equatable {
        /// The daily dose in effect on the day the adjustment starts.
        public let current: Double
        /// The daily dose the new steps start from.
        public let continueFrom: Double
        /// True when that is higher than the dose in effect.
        public let increase: Bool
        /// The held dose on `effectiveOn` followed by the new steps, as recorded and shown.
        public let steps: [TaperStep]
        /// Set when a step goes faster than the guide.
        public let warning: RiskFlag?
    }

    /// A new pace from `effectiveOn`, checked: a ceiling at the starting dose, a reason for any increase, the guide's pace.
    public static func adjust(_ plan: TaperPlanState, line: MedicationLine, ratePercent: Double, intervalDays: Int,
                              effectiveOn: LocalDate, dose: Double?, reason: String, pace: Pace) throws(RuleViolation) -> Adjustment {
        guard plan.status != .completed else { throw RuleViolation("that taper is completed; plan a new one instead") }
        let started = line.dailyDose ?? 0
        let current = TaperScheduler.dose(on: effectiveOn, steps: plan.steps, before: started) ?? 0
        let continueFrom = dose ?? current
        guard continueFrom > 0 else { throw RuleViolation("the dose in effect on \(effectiveOn) is 0; there is nothing left to taper") }
        let increase = continueFrom > current + 1e-9
        if increase {
            guard continueFrom <= started + 1e-9 else {
                throw RuleViolation("\(Timeline.formatScore(continueFrom)) \(line.doseUnit)/day is above the \(Timeline.formatScore(started)) the taper started from; a higher dose is a new prescription, not a taper step: record it on the medication list and plan again")
            }
            guard reason.count >= 10 else {
                throw RuleViolation("going back up from \(Timeline.formatScore(current)) to \(Timeline.formatScore(continueFrom)) \(line.doseUnit)/day needs the reassessment behind it in --reason")
            }
        }
        let heldSince = plan.steps.last { $0.on <= effectiveOn }?.on ?? effectiveOn.adding(days: -intervalDays)
        let held = TaperStep(on: effectiveOn, dailyDose: continueFrom, unit: line.doseUnit,
                             instruction: increase ? "increased: \(reason)" : "held")
        let steps = try TaperScheduler.propose(line, from: continueFrom, ratePercent: ratePercent, intervalDays: intervalDays,
                                               basis: .current, start: effectiveOn.adding(days: 1), heldSince: effectiveOn)
        let all = [held] + steps
        // The held dose is checked from the day the dose in effect began; an increase is not a cut.
        let warning = TaperPace.check(steps: all, startingDose: current, duration: pace.duration,
                                      smallestDose: smallestDose(line), startedOn: heldSince)
        return Adjustment(current: current, continueFrom: continueFrom, increase: increase, steps: all, warning: warning)
    }
}
