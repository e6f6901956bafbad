/// One medication's contribution to the daily MME. Field names are the keys of `accord mme --json`.
public struct MMEItem: Codable, Sendable, Equatable {
    /// The line as written.
    public var input: String
    /// The main ingredient, when the line names one Accord knows.
    public var ingredient: String?
    /// The dose form read.
    public var form: String?
    /// The total daily amount, in `unit`.
    public var dailyDose: Double?
    /// The unit of `dailyDose`.
    public var unit: String?
    /// The CDC 2022 factor applied.
    public var factor: Double?
    /// Morphine milligram equivalents a day; nil when the medicine is not counted (see `note`).
    public var mme: Double?
    /// True when the line is in the total.
    public var counted: Bool
    /// An opioid, counted or not: every opioid takes part in the co-prescription, naloxone and PDMP rules.
    public var opioid: Bool
    /// Marked as treatment for opioid use disorder, so not counted as pain treatment.
    public var opioidUseDisorderTreatment: Bool
    /// Why it is not counted, or what to keep in mind.
    public var note: String?
    /// A caution that comes with the medicine itself (methadone), with its source.
    public var caution: String?
    /// What makes the dose unusual enough to be confirmed before it is recorded (see `DoseLimits`).
    public var unusual: [String]

    enum CodingKeys: String, CodingKey {
        case input, ingredient, form, dailyDose, unit, factor, mme, counted, opioid, opioidUseDisorderTreatment, note, caution, unusual
    }

    /// Every key is written, as null when it has no value, so scripts can rely on the shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(input, forKey: .input)
        try container.encode(ingredient, forKey: .ingredient)
        try container.encode(form, forKey: .form)
        try container.encode(dailyDose, forKey: .dailyDose)
        try container.encode(unit, forKey: .unit)
        try container.encode(factor, forKey: .factor)
        try container.encode(mme, forKey: .mme)
        try container.encode(counted, forKey: .counted)
        try container.encode(opioid, forKey: .opioid)
        try container.encode(opioidUseDisorderTreatment, forKey: .opioidUseDisorderTreatment)
        try container.encode(note, forKey: .note)
        try container.encode(caution, forKey: .caution)
        try container.encode(unusual, forKey: .unusual)
    }
}

/// Something the rules want the clinician to see, with why, since when and the source. Keys of `--json` output.
public struct RiskFlag: Codable, Sendable, Equatable {
    /// A stable key for the kind of flag.
    public var key: String
    /// What the flag says, in a line.
    public var title: String
    /// Why it matters and what to do.
    public var why: String
    /// Since when it applies.
    public var since: String?
    /// Where the rule comes from.
    public var source: String

    /// A flag.
    public init(key: String, title: String, why: String, since: String?, source: String) {
        self.key = key; self.title = title; self.why = why; self.since = since; self.source = source
    }
}

/// A medication list's MME: the total, each line's part, and the flags the list raises.
public struct MMEResult: Codable, Sendable, Equatable {
    /// Morphine milligram equivalents a day, rounded to 0.1.
    public var totalMME: Double
    /// False when an opioid on the list could not be counted (no CDC 2022 factor, or a line that could not be
    /// read): the total is then a floor, not the patient's exposure.
    public var complete: Bool
    /// Why the total is incomplete, one reason per line left out.
    public var incomplete: [String]
    /// Each line's part.
    public var items: [MMEItem]
    /// The flags the list alone raises.
    public var flags: [RiskFlag]
}

/// Morphine milligram equivalents per day, CDC 2022: strength × units per dose × doses per day × factor; a
/// fentanyl patch is mcg/hr × 2.4 whatever its change interval. As-needed orders count at their maximum.
public enum MMECalculator {
    /// MME values closer than this are equal: patch arithmetic gives 179.99999…
    public static let tolerance = 1e-6

    /// One line's MME, or why it is not counted.
    public static func item(_ line: MedicationLine) -> MMEItem {
        let ingredient = line.ingredient
        var item = MMEItem(input: line.input, ingredient: ingredient?.name, form: line.outsideVocabulary ? nil : line.form.rawValue,
                           dailyDose: line.dailyDose, unit: line.dailyDose == nil ? nil : line.doseUnit,
                           factor: nil, mme: nil, counted: false, opioid: line.isOpioid,
                           opioidUseDisorderTreatment: line.opioidUseDisorderTreatment, note: nil, caution: nil,
                           unusual: DoseLimits.concerns(line))
        if ingredient?.name == "methadone" {
            item.caution = "Methadone: its half-life is long and varies between people, so it builds up over days and an overdose can come late; it can prolong the QTc interval. Check an ECG and interacting drugs, and start low and go slowly. [\(Source.cdc2022.rawValue)]"
        }
        guard let ingredient else {
            item.note = "Outside Accord's vocabulary; recorded as the clinician's word that it is neither an opioid nor a CNS depressant."
            return item
        }
        if line.opioidUseDisorderTreatment {
            item.note = "Treatment for opioid use disorder: not counted as pain-treatment MME. Continue it, and agree any change with its prescriber; the MME table is not for OUD dosing. [\(Source.cdc2022.rawValue), recommendation 12]"
            return item
        }
        switch ingredient.drugClass {
        case .opioid:
            if ingredient.excludedFromMME {
                item.note = "Not counted: the CDC 2022 guideline leaves buprenorphine out of MME totals."
            } else if let factor = line.mmeFactor {
                item.factor = factor
                if let daily = line.dailyDose {
                    item.mme = daily * factor
                    item.counted = true
                }
                if ingredient.name == "fentanyl" || ingredient.name == "methadone" {
                    item.note = "The MME factor describes risk; it is not a dose conversion between opioids (CDC 2022)."
                }
            } else if ingredient.noFactorForms.contains(line.form) {
                item.note = "NOT COUNTED: \(line.form.rawValue) \(ingredient.name) has no CDC 2022 MME factor. It is an opioid all the same; the total leaves it out, so it is incomplete."
            } else {
                item.note = "NOT COUNTED: \(ingredient.name) is an opioid with no CDC 2022 MME factor. The total leaves it out, so it is incomplete."
            }
        case .benzodiazepine, .sedativeHypnotic, .gabapentinoid, .muscleRelaxant, .barbiturate:
            item.note = "Not an opioid; a CNS depressant (\(ingredient.drugClass.rawValue)) that adds to an opioid's risk (CDC 2022, recommendation 11)."
        case .opioidAntagonist:
            item.note = ingredient.rescue ? "\(ingredient.name.capitalized): an overdose-reversal medicine, not counted." : "\(ingredient.name.capitalized): an opioid antagonist, not counted; it is not an overdose-rescue supply."
        case .nonOpioid:
            item.note = "Not an opioid; not counted."
        }
        return item
    }

    /// Whether an item is an opioid the total could not count, and so leaves incomplete.
    public static func leftOut(_ item: MMEItem) -> Bool {
        // An opioid the guideline itself leaves out (buprenorphine) does not make the total incomplete.
        item.opioid && !item.counted && !item.opioidUseDisorderTreatment
            && item.ingredient.flatMap(MedicationVocabulary.shipped.ingredient(named:))?.excludedFromMME != true
    }

    /// The total over all lines, with the flags the medicines alone raise. `unreadable` names lines that could
    /// not be read; each leaves the total incomplete.
    public static func compute(_ lines: [MedicationLine], unreadable: [String] = []) -> MMEResult {
        let items = lines.map(item)
        let total = items.compactMap(\.mme).reduce(0, +)
        let incomplete = items.filter(leftOut).map { "\($0.input): \($0.ingredient ?? "this opioid") is not counted" }
            + unreadable.map { "\($0): could not be read" }
        return MMEResult(totalMME: rounded(total), complete: incomplete.isEmpty, incomplete: incomplete, items: items,
                         flags: MedicationFlags.flags(total: total, lines: lines, incomplete: incomplete, since: nil))
    }

    /// MME rounded to 0.1, so 179.99999… prints as 180.
    public static func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }

    /// Whether `value` reaches `threshold`, within the tolerance.
    public static func atLeast(_ value: Double, _ threshold: Double) -> Bool { value + tolerance >= threshold }
}

/// Doses so far outside practice that they are more likely a typing slip than a prescription. Accord asks for
/// them to be confirmed before recording; it does not decide that they are wrong.
public enum DoseLimits {
    /// Over this many MME/day from one line is unusual.
    public static let maximumLineMME = 500.0
    /// More often than every 2 hours is unusual.
    public static let maximumDosesPerDay = 12.0
    /// More units than this at once is unusual.
    public static let maximumUnitsPerDose = 4.0

    /// What makes the line's dose unusual; empty when nothing does.
    public static func concerns(_ line: MedicationLine) -> [String] {
        guard let ingredient = line.ingredient, ingredient.isOpioid else { return [] }
        var concerns: [String] = []
        if let daily = line.dailyDose, let factor = line.mmeFactor, daily * factor > maximumLineMME {
            concerns.append("\(Timeline.formatScore(MMECalculator.rounded(daily * factor))) MME/day from one line is over \(Int(maximumLineMME))")
        }
        if let perDay = line.dosesPerDay, perDay > maximumDosesPerDay {
            concerns.append("\(Timeline.formatScore(perDay)) doses a day is more often than every 2 hours")
        }
        if line.form != .oralLiquid, line.unitsPerDose > maximumUnitsPerDose {
            concerns.append("\(Timeline.formatScore(line.unitsPerDose)) \(line.form == .patch ? "patches" : "units") at once is more than \(Int(maximumUnitsPerDose))")
        }
        // A strength beyond what a few of the largest units make is more likely a slip than a prescription.
        let largest = ingredient.strengths.values.flatMap { $0 }.max()
        if let strength = line.strength, let largest, line.form != .oralLiquid, strength > largest * maximumUnitsPerDose {
            concerns.append("\(Timeline.formatScore(strength)) \(line.form == .patch ? "mcg/hr" : "mg") is more than \(Int(maximumUnitsPerDose)) of the largest \(ingredient.name) \(line.form == .patch ? "patch" : "unit") Accord knows (\(Timeline.formatScore(largest)))")
        }
        return concerns
    }
}

/// Flags that follow from the medication list alone.
public enum MedicationFlags {
    /// At 50 MME/day or more, pause and reassess before any increase (CDC 2022).
    public static let reassessThreshold = 50.0
    /// The 2016 guideline's threshold, shown as such.
    public static let threshold2016 = 90.0

    /// The flags a list raises: thresholds, an incomplete total, CNS depressants, OUD treatment, methadone.
    public static func flags(total: Double, lines: [MedicationLine], incomplete: [String] = [], since: String?) -> [RiskFlag] {
        var flags: [RiskFlag] = []
        let shown = Timeline.formatScore(MMECalculator.rounded(total))
        let floor = incomplete.isEmpty ? "" : " or more"
        if MMECalculator.atLeast(total, reassessThreshold) {
            flags.append(RiskFlag(key: "mme-50", title: "\(shown)\(floor) MME/day: at or above 50",
                                  why: "At 50 MME/day or more, pause and reassess before any increase, offer naloxone, and follow up more often.",
                                  since: since, source: Source.cdc2022.rawValue))
        }
        if MMECalculator.atLeast(total, threshold2016) {
            flags.append(RiskFlag(key: "mme-90-2016", title: "\(shown)\(floor) MME/day: at or above 90 (a 2016 threshold)",
                                  why: "The 2016 guideline asked clinicians to avoid or justify 90 MME/day or more; the 2022 guideline keeps 50 as the point to reassess.",
                                  since: since, source: Source.cdc2016.rawValue))
        }
        if !incomplete.isEmpty {
            flags.append(RiskFlag(key: "mme-incomplete", title: "The MME total (\(shown)) leaves out \(incomplete.count) line\(incomplete.count == 1 ? "" : "s")",
                                  why: "\(incomplete.joined(separator: "; ")). The real exposure is higher than the total shows; judge it from the doses themselves and never treat the missing lines as zero.",
                                  since: since, source: Source.mmeGuide.rawValue))
        }
        let opioids = lines.filter(\.isOpioid)
        let depressants = lines.filter(\.isCNSDepressant)
        if !opioids.isEmpty, !depressants.isEmpty {
            let names = depressants.compactMap { $0.components.first { $0.ingredient.drugClass.isCNSDepressant }?.ingredient.name }
            flags.append(RiskFlag(key: "cns-depressant", title: "Opioid with \(names.joined(separator: ", "))",
                                  why: "Benzodiazepines and other CNS depressants add to an opioid's effect on breathing; take extra care and offer naloxone.",
                                  since: since, source: Source.cdc2022.rawValue + ", recommendation 11"))
        }
        for line in lines where line.opioidUseDisorderTreatment {
            flags.append(RiskFlag(key: "oud-treatment", title: "\(line.ingredient?.name.capitalized ?? "Medication") for opioid use disorder",
                                  why: "Not counted as pain-treatment MME. Keep it going: stopping or cutting it raises the risk of return to use and overdose. Agree any change with its prescriber.",
                                  since: since, source: Source.cdc2022.rawValue + ", recommendation 12"))
        }
        if lines.contains(where: { $0.ingredient?.name == "methadone" }) {
            flags.append(RiskFlag(key: "methadone-caution", title: "Methadone on the list",
                                  why: "Its long, variable half-life means it accumulates over days and an overdose can come late; it can prolong the QTc interval. Check an ECG and interacting drugs before any change.",
                                  since: since, source: Source.cdc2022.rawValue))
        }
        return flags
    }
}
