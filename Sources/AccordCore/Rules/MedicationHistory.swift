/// One version of a patient's medication list, read once: its day, its MME total and whether it holds an opioid.
public struct MedicationListSummary: Sendable, Equatable {
    public let day: LocalDate?
    public let totalMME: Double
    public let hasOpioid: Bool

    init(_ list: MedicationListState) {
        let lines = list.medications.compactMap { try? MedicationReader.read($0) }
        day = LocalDate(String(list.stamp.at.prefix(10)))
        totalMME = MMECalculator.compute(lines).totalMME
        hasOpioid = lines.contains { $0.drug?.kind == .opioid }
    }
}

extension PatientRecord {
    /// Every version of the medication list, oldest first, each read once; flags, trends and tapers share it.
    public var medicationSummaries: [MedicationListSummary] { medicationHistory.map(MedicationListSummary.init) }
}

public enum MedicationHistory {
    /// The first day of the current unbroken stretch of lists that hold an opioid.
    public static func opioidsSince(_ summaries: [MedicationListSummary]) -> LocalDate? {
        var since: LocalDate?
        for list in summaries {
            since = list.hasOpioid ? since ?? list.day : nil
        }
        return since
    }

    /// The day of the latest start of an opioid or increase of the total MME.
    static func lastStartOrIncrease(_ summaries: [MedicationListSummary]) -> LocalDate? {
        var previous = 0.0
        var lastChange: LocalDate?
        for list in summaries {
            if list.hasOpioid, list.totalMME > previous + MMECalculator.tolerance || (previous == 0 && lastChange == nil) {
                lastChange = list.day
            }
            previous = list.totalMME
        }
        return lastChange
    }
}
