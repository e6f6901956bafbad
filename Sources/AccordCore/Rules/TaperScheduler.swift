/// Proposes a taper schedule for the clinician to review: the clinician chooses the pace; Accord does the
/// arithmetic, rounds each step to strengths that exist, and ends by lengthening the interval at the smallest strength.
public enum TaperScheduler {
    public static let maximumSteps = 500

    /// Steps from `start`, one every `intervalDays` (longer where the strengths force a bigger cut than planned). With `.current` each step takes `ratePercent` of the dose before
    /// it; with `.original` each takes `ratePercent` of the starting dose until about 30% of it remains, then
    /// `ratePercent` of what remains (HHS 2019).
    public static func propose(_ line: MedicationLine, ratePercent: Double, intervalDays: Int, basis: TaperBasis,
                               start: LocalDate) throws(RuleViolation) -> [TaperStep] {
        guard let drug = line.drug, drug.kind == .opioid, drug.factor != nil else {
            throw RuleViolation("\"\(line.input)\" is not an opioid Accord can taper; give one opioid with its strength and frequency")
        }
        guard let startDose = line.dailyDose, startDose > 0 else {
            throw RuleViolation("\"\(line.input)\" does not give a daily dose; add the strength and how often it is taken")
        }
        return try propose(drug: drug, startDose: startDose, ratePercent: ratePercent, intervalDays: intervalDays,
                           basis: basis, start: start)
    }

    /// Steps for `drug` from a total daily dose of `startDose` (in the drug's unit).
    public static func propose(drug: Drug, startDose: Double, ratePercent: Double, intervalDays: Int, basis: TaperBasis,
                               start: LocalDate) throws(RuleViolation) -> [TaperStep] {
        guard drug.kind == .opioid, drug.factor != nil, let unitSize = drug.strengths.first else {
            throw RuleViolation("\(drug.ingredient) is not an opioid Accord can taper")
        }
        guard startDose > 0 else { throw RuleViolation("the starting daily dose must be more than 0") }
        guard ratePercent > 0, ratePercent <= 50 else { throw RuleViolation("a taper rate must be more than 0 and at most 50 percent a step") }
        guard (1...366).contains(intervalDays) else { throw RuleViolation("a taper interval must be 1 to 366 days") }
        let rate = ratePercent / 100
        let unit = drug.unit
        let isPatch = drug == DrugTable.fentanylPatch
        var steps: [TaperStep] = []
        var dose = startDose
        var date = start
        while dose > unitSize + 1e-9 {
            let cut = basis == .original && dose > startDose * 0.3 + 1e-9 ? startDose * rate : dose * rate
            // Round toward the higher dose, the slower side; only when that would hold the dose step down one unit.
            var next = roundUpToStrength(dose - cut, unit: unitSize)
            if next >= dose - 1e-9 { next = dose - unitSize }  // rounding would hold the dose: step down one unit
            next = max(next, unitSize)
            // When the strengths force a bigger cut than planned, wait longer before it, so the pace holds.
            if !steps.isEmpty, dose - next > cut + 1e-9 {
                let wait = (Double(intervalDays) * (dose - next) / cut).rounded(.up)
                date = date.adding(days: Int(wait) - intervalDays)
            }
            steps.append(TaperStep(on: date, dailyDose: next, unit: unit))
            dose = next
            date = date.adding(days: intervalDays)
            guard steps.count < maximumSteps - 3 else { throw RuleViolation("that pace needs more than \(maximumSteps) steps; choose a larger rate or a longer interval") }
        }
        if steps.isEmpty {
            steps.append(TaperStep(on: date, dailyDose: unitSize, unit: unit, instruction: instruction(unitSize, unit, isPatch: isPatch, everyOtherDay: false)))
            date = date.adding(days: intervalDays)
        } else {
            steps[steps.count - 1].instruction = instruction(unitSize, unit, isPatch: isPatch, everyOtherDay: false)
        }
        if !isPatch {
            // At the smallest strength, lengthen the interval between doses before stopping.
            steps.append(TaperStep(on: date, dailyDose: unitSize / 2, unit: unit, instruction: instruction(unitSize, unit, isPatch: false, everyOtherDay: true)))
            date = date.adding(days: intervalDays)
        }
        steps.append(TaperStep(on: date, dailyDose: 0, unit: unit, instruction: isPatch ? "remove the last patch" : "stop"))
        guard start.days(until: date) <= 3653 else {
            throw RuleViolation("at that pace the taper would take more than 10 years; choose a larger rate or a shorter interval")
        }
        return steps
    }

    static func roundUpToStrength(_ dose: Double, unit: Double) -> Double {
        (dose / unit - 1e-9).rounded(.up) * unit
    }

    static func instruction(_ size: Double, _ unit: String, isPatch: Bool, everyOtherDay: Bool) -> String {
        let amount = "\(Timeline.formatScore(size)) \(unit)"
        if isPatch { return "one \(amount) patch, the smallest strength" }
        return everyOtherDay ? "\(amount) every other day" : "\(amount) once a day, the smallest strength"
    }

    /// The daily dose in effect on `date`: the last step on or before it, or `before` when the taper has not begun.
    public static func dose(on date: LocalDate, steps: [TaperStep], before: Double?) -> Double? {
        steps.last { $0.on <= date }?.dailyDose ?? before
    }
}

/// Whether a schedule goes faster than the tapering guide suggests for how long the patient has used opioids.
public enum TaperPace {
    /// The first step that cuts more than the guide's pace, as a flag with its source; nil when none does.
    /// Rounding to real strengths cannot always go slower, so a cut of one smallest unit may reach twice the pace;
    /// the last steps (every other day, stop) are not checked.
    public static func check(steps: [TaperStep], startingDose: Double, duration: OpioidUseDuration, smallestUnit: Double,
                             startedOn: LocalDate) -> RiskFlag? {
        var previousDose = startingDose
        var previousDate = startedOn
        for (index, step) in steps.enumerated() {
            defer { previousDose = step.dailyDose; previousDate = step.on }
            let cut = previousDose - step.dailyDose
            guard cut > 1e-9, step.dailyDose > smallestUnit / 2 + 1e-9 else { continue }
            let days = Double(max(previousDate.days(until: step.on), 1))
            let allowed: Double
            switch duration {
            case .longTerm:
                allowed = 0.10 * previousDose * days / 30
            case .weeksToMonths:
                let base = previousDose > startingDose * 0.3 ? startingDose : previousDose
                allowed = 0.10 * base * days / 7
            }
            let oneUnitAtMost = cut <= smallestUnit + 1e-9
            if cut > allowed + 1e-6, !oneUnitAtMost || cut > 2 * allowed + 1e-6 {
                let pace = duration == .longTerm ? "about 10% of the current dose a month, or slower"
                    : "about 10% of the original dose a week until 30% remains, then 10% of what remains"
                return RiskFlag(key: "taper-too-fast",
                                title: "Taper step \(index + 1) cuts \(Timeline.formatScore(cut)) \(step.unit) (\(Timeline.formatScore(cut / previousDose * 100))%) in \(Int(days)) days",
                                why: "For \(duration == .longTerm ? "a year or more" : "weeks to months") of opioid use the guide suggests \(pace); faster cuts risk withdrawal, uncontrolled pain and a turn to illicit opioids.",
                                since: step.on.description, source: Source.hhs2019.rawValue)
            }
        }
        return nil
    }
}
