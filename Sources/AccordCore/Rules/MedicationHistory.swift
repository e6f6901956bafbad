/// One version of a patient's medication list, read once: its day, its MME total and whether it holds an opioid.
public struct MedicationListSummary: Sendable, Equatable {
    /// The clinic's day the list was recorded.
    public let day: LocalDate?
    /// Its MME total.
    public let totalMME: Double
    /// Whether it holds an opioid.
    public let hasOpioid: Bool

    init(_ list: MedicationListState, calendar: ClinicCalendar) {
        let lines = list.medications.compactMap { try? MedicationReader.read($0) }
        day = list.day(calendar)
        totalMME = MMECalculator.compute(lines).totalMME
        hasOpioid = lines.contains { $0.isOpioid }
    }
}

extension PatientRecord {
    /// Every version of the medication list, oldest first, each read once; flags, trends and tapers share it.
    public func medicationSummaries(calendar: ClinicCalendar = .utc) -> [MedicationListSummary] {
        medicationHistory.map { MedicationListSummary($0, calendar: calendar) }
    }
}

/// Reads a patient's medication lists over time.
public enum MedicationHistory {
    /// The first day of the current unbroken stretch of lists that hold an opioid.
    public static func opioidsSince(_ summaries: [MedicationListSummary]) -> LocalDate? {
        var since: LocalDate?
        for list in summaries {
            since = list.hasOpioid ? since ?? list.day : nil
        }
        return since
    }

    /// How long the patient has been on opioids, as far as anyone can tell: the start a clinician recorded, or the
    /// first list in Accord's current run of lists with an opioid, whichever is earlier. Accord's own lists are a
    /// lower bound only: a patient on opioids for years may be entered today.
    public static func opioidsSince(_ record: PatientRecord, calendar: ClinicCalendar = .utc) -> LocalDate? {
        let fromLists = opioidsSince(record.medicationSummaries(calendar: calendar))
        return [record.onOpioidsSince, fromLists].compactMap { $0 }.min()
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
