/// One medication's contribution to the daily MME. Field names are the keys of `accord mme --json`.
public struct MMEItem: Codable, Sendable, Equatable {
    public var input: String
    public var ingredient: String?
    public var dailyDose: Double?
    public var unit: String?
    public var factor: Double?
    /// Morphine milligram equivalents a day; nil when the medicine is not counted (see `note`).
    public var mme: Double?
    public var counted: Bool
    public var note: String?

    enum CodingKeys: String, CodingKey { case input, ingredient, dailyDose, unit, factor, mme, counted, note }

    /// Every key is written, as null when it has no value, so scripts can rely on the shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(input, forKey: .input)
        try container.encode(ingredient, forKey: .ingredient)
        try container.encode(dailyDose, forKey: .dailyDose)
        try container.encode(unit, forKey: .unit)
        try container.encode(factor, forKey: .factor)
        try container.encode(mme, forKey: .mme)
        try container.encode(counted, forKey: .counted)
        try container.encode(note, forKey: .note)
    }
}

/// Something the rules want the clinician to see, with why, since when and the source. Keys of `--json` output.
public struct RiskFlag: Codable, Sendable, Equatable {
    public var key: String
    public var title: String
    public var why: String
    public var since: String?
    public var source: String
}

public struct MMEResult: Codable, Sendable, Equatable {
    public var totalMME: Double
    public var items: [MMEItem]
    public var flags: [RiskFlag]
}

/// Morphine milligram equivalents per day, CDC 2022: strength × units per dose × doses per day × factor; a
/// fentanyl patch is mcg/hr × 2.4 whatever its change interval. As-needed orders count at their maximum.
public enum MMECalculator {
    /// MME values closer than this are equal: patch arithmetic gives 179.99999…
    public static let tolerance = 1e-6

    public static func item(_ line: MedicationLine) -> MMEItem {
        var item = MMEItem(input: line.input, ingredient: line.drug?.ingredient, dailyDose: line.dailyDose,
                           unit: line.drug == DrugTable.fentanylPatch ? "mcg/hr" : line.strengthUnit,
                           factor: nil, mme: nil, counted: false, note: nil)
        guard let drug = line.drug else {
            item.note = "Not counted: '\(line.name)' has no MME conversion factor in the CDC 2022 table."
            return item
        }
        switch drug.kind {
        case .opioidNotCounted:
            item.note = "Not counted: buprenorphine is left out of MME totals (CDC 2022)."
        case .cnsDepressant:
            item.note = "Not an opioid; a CNS depressant that adds to an opioid's risk (CDC 2022, recommendation 11)."
        case .naloxone:
            item.note = "Naloxone: the overdose-reversal medicine, not counted."
        case .opioid:
            guard let factor = drug.factor else {
                item.note = "Not counted: transmucosal fentanyl has no MME factor; do not count it as zero (CDC 2022)."
                return item
            }
            item.factor = factor
            if let daily = line.dailyDose {
                item.mme = daily * factor
                item.counted = true
            }
            if drug == DrugTable.methadone || drug == DrugTable.fentanylPatch {
                item.note = "The MME factor describes risk; it is not a dose conversion between opioids (CDC 2022)."
            }
        }
        return item
    }

    /// The total over all lines, with the flags the medicines alone raise.
    public static func compute(_ lines: [MedicationLine]) -> MMEResult {
        let items = lines.map(item)
        let total = items.compactMap(\.mme).reduce(0, +)
        return MMEResult(totalMME: rounded(total), items: items, flags: MedicationFlags.flags(total: total, lines: lines, since: nil))
    }

    /// MME rounded to 0.1, so 179.99999… prints as 180.
    public static func rounded(_ value: Double) -> Double { (value * 10).rounded() / 10 }

    public static func atLeast(_ value: Double, _ threshold: Double) -> Bool { value + tolerance >= threshold }
}

/// Flags that follow from the medication list alone.
public enum MedicationFlags {
    public static let reassessThreshold = 50.0
    public static let threshold2016 = 90.0

    public static func flags(total: Double, lines: [MedicationLine], since: String?) -> [RiskFlag] {
        var flags: [RiskFlag] = []
        let shown = Timeline.formatScore(MMECalculator.rounded(total))
        if MMECalculator.atLeast(total, reassessThreshold) {
            flags.append(RiskFlag(key: "mme-50", title: "\(shown) MME/day: at or above 50",
                                  why: "At 50 MME/day or more, pause and reassess before any increase, offer naloxone, and follow up more often.",
                                  since: since, source: Source.cdc2022.rawValue))
        }
        if MMECalculator.atLeast(total, threshold2016) {
            flags.append(RiskFlag(key: "mme-90-2016", title: "\(shown) MME/day: at or above 90 (a 2016 threshold)",
                                  why: "The 2016 guideline asked clinicians to avoid or justify 90 MME/day or more; the 2022 guideline keeps 50 as the point to reassess.",
                                  since: since, source: Source.cdc2016.rawValue))
        }
        let opioids = lines.filter { $0.drug?.kind == .opioid || $0.drug?.kind == .opioidNotCounted }
        let depressants = lines.filter { $0.drug?.kind == .cnsDepressant }
        if !opioids.isEmpty, !depressants.isEmpty {
            flags.append(RiskFlag(key: "cns-depressant", title: "Opioid with \(depressants.compactMap { $0.drug?.ingredient }.joined(separator: ", "))",
                                  why: "Benzodiazepines and other CNS depressants add to an opioid's effect on breathing; take extra care and offer naloxone.",
                                  since: since, source: Source.cdc2022.rawValue))
        }
        return flags
    }
}
