/// Proposes a taper schedule for the clinician to review: the clinician chooses the pace; Accord does the
/// arithmetic, rounds each step to doses the formulation being tapered can make, and ends by lengthening the
/// interval at the smallest strength (HHS 2019).
///
/// The pace holds at every step, first and last included: a step's planned cut is `ratePercent` of the dose
/// before it (of the starting dose with `.original`, until about 30% remains), never measured against less than
/// one smallest strength a day. Where the strengths force a bigger cut than planned, the wait before that step
/// grows in proportion, so the cut per day never exceeds the plan.
public enum TaperScheduler {
    /// The most steps a schedule may have.
    public static let maximumSteps = 500
    static let epsilon = 1e-9

    /// Steps from the line's daily dose, the first on `start` or later where the first cut is bigger than planned.
    public static func propose(_ line: MedicationLine, ratePercent: Double, intervalDays: Int, basis: TaperBasis,
                               start: LocalDate) throws(RuleViolation) -> [TaperStep] {
        try propose(line, from: nil, ratePercent: ratePercent, intervalDays: intervalDays, basis: basis, start: start,
                    heldSince: start.adding(days: -intervalDays))
    }

    /// Steps from the line's daily dose (or `from`, a daily dose in the line's unit), the first no earlier than
    /// `start`; `heldSince` is the day the starting dose began, which the first step's wait counts from.
    public static func propose(_ line: MedicationLine, from startDose: Double?, ratePercent: Double, intervalDays: Int,
                               basis: TaperBasis, start: LocalDate, heldSince: LocalDate) throws(RuleViolation) -> [TaperStep] {
        let formulation = try TaperFormulation(line)
        guard ratePercent > 0, ratePercent <= 50 else { throw RuleViolation("a taper rate must be more than 0 and at most 50 percent a step") }
        guard (1...366).contains(intervalDays) else { throw RuleViolation("a taper interval must be 1 to 366 days") }
        let original = startDose ?? line.dailyDose ?? 0
        guard original > 0 else { throw RuleViolation("the starting daily dose must be more than 0") }
        let rate = ratePercent / 100
        let smallest = formulation.smallestDose
        var steps: [TaperStep] = []
        var dose = original
        var doses = formulation.dosesPerDay
        var previousDate = heldSince

        func plannedCut(_ dose: Double) -> Double {
            let reference = basis == .original && dose > original * 0.3 + epsilon ? original : max(dose, smallest)
            return rate * reference
        }
        func add(_ next: Double, instruction: String) throws(RuleViolation) {
            let cut = dose - next
            let planned = plannedCut(dose)
            let wait = Int((Double(intervalDays) * max(1, cut / planned) - epsilon).rounded(.up))
            var date = previousDate.adding(days: wait)
            if date < start { date = start }
            steps.append(TaperStep(on: date, dailyDose: next, unit: formulation.unit, instruction: instruction))
            dose = next
            previousDate = date
            guard steps.count < maximumSteps else {
                throw RuleViolation("that pace needs more than \(maximumSteps) steps; choose a larger rate or a longer interval")
            }
        }

        // Down through the doses the strengths can make, keeping the number of doses a day while it can.
        while let next = formulation.nextDose(below: dose, cut: plannedCut(dose), doses: doses) {
            doses = next.doses
            try add(next.total, instruction: formulation.describe(next.amounts))
        }
        if formulation.form == .extendedRelease, var last = steps.popLast() {
            last.instruction = (last.instruction ?? "") + "; the smallest extended-release dose: going lower needs an immediate-release form, a switch for the clinician to decide"
            steps.append(last)
        }
        if formulation.form == .patch {
            try add(0, instruction: "remove the last patch")
        } else {
            // At the smallest strength once a day, lengthen the interval between doses, then stop.
            try add(smallest / 2, instruction: "\(formulation.amount(smallest)) every other day")
            try add(0, instruction: "stop")
        }
        guard start.days(until: steps[steps.count - 1].on) <= 3653 else {
            throw RuleViolation("at that pace the taper would take more than 10 years; choose a larger rate or a shorter interval")
        }
        return steps
    }

    /// The daily dose in effect on `date`: the last step on or before it, or `before` when the taper has not begun.
    public static func dose(on date: LocalDate, steps: [TaperStep], before: Double?) -> Double? {
        steps.last { $0.on <= date }?.dailyDose ?? before
    }
}

/// The doses one formulation can make: per dose, sums of up to three units of its strengths (or half-mL
/// measures of a liquid); per day, that many doses, not necessarily equal ("30 mg + 15 mg").
struct TaperFormulation {
    let form: DoseForm
    let unit: String
    /// Doses a day the line is taken (1 for a patch, whose "dose" is the patches worn).
    let dosesPerDay: Int
    /// One dose of the smallest strength.
    let smallestDose: Double
    let perDose: [Double]
    let concentration: Double?
    /// Daily totals by number of doses a day (index 0 is once a day), worked out once.
    var totalsByDoses: [[(Double, [Double])]] = []

    static let maximumUnitsPerDose = 3

    init(_ line: MedicationLine) throws(RuleViolation) {
        guard let ingredient = line.ingredient, ingredient.isOpioid else {
            throw RuleViolation("\"\(line.input)\" is not an opioid Accord can taper; give one opioid with its strength and frequency")
        }
        guard !line.opioidUseDisorderTreatment else {
            throw RuleViolation("\"\(line.input)\" is treatment for opioid use disorder: Accord does not plan it as a pain taper; agree any change with its prescriber (CDC 2022, recommendation 12)")
        }
        guard line.mmeFactor != nil, line.dailyDose != nil else {
            throw RuleViolation("\"\(line.input)\" does not give a daily dose Accord can taper; give one opioid with its strength and frequency")
        }
        form = line.form
        unit = line.doseUnit
        if line.form == .patch {
            dosesPerDay = 1
        } else {
            let perDay = line.dosesPerDay ?? 0
            guard perDay >= 1, perDay.rounded() == perDay, perDay <= 6 else {
                throw RuleViolation("a taper starts from a whole number of doses a day, from once to six times (q4h); \"\(line.input)\" gives \(Timeline.formatScore(perDay))")
            }
            dosesPerDay = Int(perDay)
        }
        let units: [Double]
        if line.form == .oralLiquid, let strength = line.strength {
            concentration = strength
            units = [strength * 0.5]
        } else {
            concentration = nil
            units = line.strengthsOfForm
        }
        guard let first = units.first else {
            throw RuleViolation("Accord knows no strengths for \(line.form.rawValue) \(ingredient.name), so it cannot round the steps; plan this taper by hand")
        }
        smallestDose = first
        let largest = (line.dailyDose ?? 0) + (units.last ?? 0)
        var amounts = Set<Double>()
        func grow(_ sum: Double, _ count: Int, _ from: Int) {
            if count > 0 { amounts.insert((sum * 1000).rounded() / 1000) }
            guard count < (line.form == .oralLiquid ? 400 : Self.maximumUnitsPerDose) else { return }
            for index in from..<units.count where sum + units[index] <= largest + TaperScheduler.epsilon {
                grow(sum + units[index], count + 1, index)
            }
        }
        grow(0, 0, 0)
        perDose = amounts.sorted()
        totalsByDoses = (1...dosesPerDay).map(dailyTotals)
    }

    /// The next daily dose for a planned `cut` from `dose`, made with at most `doses` doses a day (as many as
    /// possible): the smallest at or above `dose - cut`, the slower side, among those that cut at least half the
    /// plan (smaller steps would only multiply visits); else the largest below it. Nil at the bottom.
    func nextDose(below dose: Double, cut: Double, doses: Int) -> (total: Double, doses: Int, amounts: [Double])? {
        let target = dose - cut
        var best: (total: Double, doses: Int, amounts: [Double])?
        for count in stride(from: doses, through: 1, by: -1) {
            for (total, amounts) in totalsByDoses[count - 1] where total < dose - cut / 2 - TaperScheduler.epsilon {
                guard let current = best else { best = (total, count, amounts); continue }
                let currentOK = current.total >= target - TaperScheduler.epsilon
                let candidateOK = total >= target - TaperScheduler.epsilon
                // At or above the target, the lowest; otherwise the highest; the same total keeps more doses.
                if candidateOK && (!currentOK || total < current.total - TaperScheduler.epsilon)
                    || !candidateOK && !currentOK && total > current.total + TaperScheduler.epsilon {
                    best = (total, count, amounts)
                }
            }
        }
        return best
    }

    /// Every daily total `doses` doses can make, each with its most even split, largest dose first.
    func dailyTotals(doses: Int) -> [(Double, [Double])] {
        var sums: [Double: [Double]] = [0: []]
        for _ in 0..<doses {
            var next: [Double: [Double]] = [:]
            for (sum, amounts) in sums {
                for amount in perDose where amount >= (amounts.last ?? 0) - TaperScheduler.epsilon {
                    let total = ((sum + amount) * 1000).rounded() / 1000
                    let candidate = amounts + [amount]
                    if let existing = next[total], spread(existing) <= spread(candidate) { continue }
                    next[total] = candidate
                }
            }
            sums = next
        }
        return sums.map { ($0.key, $0.value.sorted(by: >)) }
    }

    func spread(_ amounts: [Double]) -> Double { (amounts.max() ?? 0) - (amounts.min() ?? 0) }

    func amount(_ value: Double) -> String {
        if let concentration {
            return "\(Timeline.formatScore(value / concentration)) mL (\(Timeline.formatScore(value)) mg)"
        }
        return "\(Timeline.formatScore(value)) \(form == .patch ? "mcg/hr" : unit)"
    }

    func describe(_ amounts: [Double]) -> String {
        if form == .patch { return "patches adding up to \(amount(amounts.reduce(0, +)))" }
        if Set(amounts).count == 1, let one = amounts.first {
            let times = ["once a day", "twice a day", "three times a day", "four times a day", "five times a day", "six times a day"]
            return "\(amount(one)) \(times[amounts.count - 1])"
        }
        return "\(amounts.count) doses a day: " + amounts.map(amount).joined(separator: " + ")
    }
}

/// Whether a schedule goes faster than the tapering guide suggests for how long the patient has used opioids.
public enum TaperPace {
    /// "About" 10%: a step may exceed the guide's pace by this share before it is flagged (a 28-day month).
    static let tolerance = 1.1

    /// The first step that cuts more than the guide's pace, as a flag with its source; nil when none does. Every
    /// step is checked, the first against the time the starting dose was held (`startedOn`), the last ones too;
    /// the pace is measured against the dose before the step, never against less than one smallest dose a day.
    public static func check(steps: [TaperStep], startingDose: Double, duration: OpioidUseDuration, smallestDose: Double,
                             startedOn: LocalDate) -> RiskFlag? {
        var previousDose = startingDose
        var previousDate = startedOn
        for (index, step) in steps.enumerated() {
            defer { previousDose = step.dailyDose; previousDate = step.on }
            let cut = previousDose - step.dailyDose
            guard cut > 1e-9 else { continue }
            let days = Double(max(previousDate.days(until: step.on), 1))
            let allowed: Double
            switch duration {
            case .longTerm:
                allowed = 0.10 * max(previousDose, smallestDose) * days / 30
            case .weeksToMonths:
                let base = previousDose > startingDose * 0.3 + 1e-9 ? startingDose : max(previousDose, smallestDose)
                allowed = 0.10 * base * days / 7
            }
            if cut > allowed * tolerance + 1e-6 {
                let pace = duration == .longTerm ? "about 10% of the current dose a month, or slower"
                    : "about 10% of the original dose a week until 30% remains, then 10% of what remains"
                return RiskFlag(key: "taper-too-fast",
                                title: "Taper step \(index + 1) (\(step.on)) cuts \(Timeline.formatScore(cut)) \(step.unit) (\(Timeline.formatScore(cut / previousDose * 100))%) after \(Int(days)) days",
                                why: "For \(duration == .longTerm ? "a year or more" : "weeks to months") of opioid use the guide suggests \(pace); faster cuts risk withdrawal, uncontrolled pain and a turn to illicit opioids.",
                                since: step.on.description, source: Source.hhs2019.rawValue)
            }
        }
        return nil
    }
}
