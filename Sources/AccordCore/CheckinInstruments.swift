/// Scoring for the instruments recorded at a check-in. Pure functions over validated item scores.
public enum CheckinInstruments {
    /// PEG: three items 0–10 (pain, enjoyment of life, general activity); the score is their mean.
    public static func pegScore(_ items: [Int]) -> Double {
        Double(items.reduce(0, +)) / Double(max(items.count, 1))
    }

    /// PHQ-2: two items 0–3; a total of 3 or more screens positive for depression.
    public static func phq2Positive(_ items: [Int]) -> Bool { items.reduce(0, +) >= 3 }

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

    /// Upper bound of each COWS item, in the instrument's order: resting pulse, sweating, restlessness, pupil size,
    /// bone or joint aches, runny nose or tearing, stomach upset, tremor, yawning, anxiety or irritability, gooseflesh.
    public static let cowsItemMaximums = [4, 4, 5, 5, 4, 4, 5, 4, 4, 4, 5]

    public static let pegSource = Source.cdc2022
}

/// Where a patient stands on changing how they use opioids.
public enum ReadinessStage: String, Codable, Sendable, CaseIterable {
    case precontemplation, contemplation, preparation, action, maintenance
}
