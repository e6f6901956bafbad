/// Scoring for the instruments recorded at a check-in. Pure functions over validated item scores.
public enum CheckinInstruments {
    /// PEG: three items 0–10 (pain, enjoyment of life, general activity); the score is their mean.
    public static func pegScore(_ items: [Int]) -> Double {
        Double(items.reduce(0, +)) / Double(max(items.count, 1))
    }

    /// PHQ-2: two items 0–3; a total of 3 or more screens positive for depression.
    public static func phq2Positive(_ items: [Int]) -> Bool { items.reduce(0, +) >= phq2PositiveTotal }

    /// COWS: eleven clinician-rated items, total 0–48, banded by withdrawal severity.
    public static func cowsBand(total: Int) -> String {
        switch total {
        case ..<5: return "below mild"
        case 5...12: return "mild"
        case 13...24: return "moderate"
        case 25...36: return "moderately severe"
        default: return "severe"
        }
    }

    /// The COWS items in the instrument's order, each with the only scores the published scale gives it
    /// (Wesson and Ling, 2003): pulse is 0, 1, 2 or 4; gooseflesh 0, 3 or 5.
    public static let cowsItems: [(name: String, scores: [Int])] = [
        ("resting pulse rate", [0, 1, 2, 4]),
        ("sweating", [0, 1, 2, 3, 4]),
        ("restlessness", [0, 1, 3, 5]),
        ("pupil size", [0, 1, 2, 5]),
        ("bone or joint aches", [0, 1, 2, 4]),
        ("runny nose or tearing", [0, 1, 2, 4]),
        ("stomach upset", [0, 1, 2, 3, 5]),
        ("tremor", [0, 1, 2, 4]),
        ("yawning", [0, 1, 2, 4]),
        ("anxiety or irritability", [0, 1, 2, 4]),
        ("gooseflesh skin", [0, 3, 5]),
    ]

    /// Upper bound of each COWS item, in the instrument's order.
    public static var cowsItemMaximums: [Int] { cowsItems.map { $0.scores.max() ?? 0 } }

    /// PHQ-2 total at which the screen is positive.
    public static let phq2PositiveTotal = 3
    /// COWS total from which withdrawal is moderate or worse.
    public static let cowsModerateTotal = 13

    /// Where the PEG comes from.
    public static let pegSource = Source.cdc2022
}

/// Where a patient stands on changing how they use opioids.
public enum ReadinessStage: String, Codable, Sendable, CaseIterable {
    case precontemplation, contemplation, preparation, action, maintenance
}
