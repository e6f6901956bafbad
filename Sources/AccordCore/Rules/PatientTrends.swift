/// One measurement in a trend: the day it was taken, its value and the entry it comes from.
public struct TrendPoint: Codable, Sendable, Equatable {
    /// The day of the visit or the day the medication list took effect.
    public var day: LocalDate
    /// The score or the MME a day.
    public var value: Double
    /// The entry that recorded it.
    public var entry: EventID
}

/// One measure over time, with the line worth drawing beside it.
public struct TrendSeries: Codable, Sendable, Equatable {
    /// `peg`, `phq2`, `cows` or `mme`.
    public var key: String
    /// The short name for a column or a chart's margin: PEG, PHQ-2, COWS, MME/day.
    public var name: String
    /// The measure's name and scale.
    public var title: String
    /// The top of the scale.
    public var maximum: Double
    /// A level worth seeing on the chart: PHQ-2 3 (screens positive), COWS 13 (moderate withdrawal), 50 MME a day.
    public var threshold: Double?
    /// What the threshold means, with its source.
    public var thresholdLabel: String?
    /// The points, oldest first by day.
    public var points: [TrendPoint]

    enum CodingKeys: String, CodingKey { case key, name, title, maximum, threshold, thresholdLabel, points }

    /// Every key written, `null` where there is no threshold, so `--json` readers see stable keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(key, forKey: .key); try container.encode(name, forKey: .name)
        try container.encode(title, forKey: .title); try container.encode(maximum, forKey: .maximum)
        try container.encode(threshold, forKey: .threshold); try container.encode(thresholdLabel, forKey: .thresholdLabel)
        try container.encode(points, forKey: .points)
    }
}

/// PEG, PHQ-2, COWS and MME over time, each point on the day it was observed (a check-in entered later counts on the
/// day of the visit), for the terminal, the handout and the auditor's page.
public enum PatientTrends {
    /// The measures the record holds at least one point of.
    public static func series(_ record: PatientRecord, calendar: ClinicCalendar) -> [TrendSeries] {
        let visits = record.checkinsByDay(calendar)
        func points(_ value: (CheckinState) -> Double?) -> [TrendPoint] {
            visits.compactMap { visit in value(visit.checkin).map { TrendPoint(day: visit.day, value: $0, entry: visit.checkin.stamp.event) } }
        }
        var series = [
            TrendSeries(key: "peg", name: "PEG", title: "PEG (pain and interference, 0-10)", maximum: 10, threshold: nil, thresholdLabel: nil,
                        points: points(\.pegScore)),
            TrendSeries(key: "phq2", name: "PHQ-2", title: "PHQ-2 (depression screen, 0-6)", maximum: 6, threshold: Double(CheckinInstruments.phq2PositiveTotal),
                        thresholdLabel: "3 or more screens positive (PHQ-2, Kroenke and others, 2003)",
                        points: points { $0.phq2Total.map(Double.init) }),
            TrendSeries(key: "cows", name: "COWS", title: "COWS (withdrawal, 0-48)", maximum: 48, threshold: Double(CheckinInstruments.cowsModerateTotal),
                        thresholdLabel: "13 or more is moderate withdrawal (COWS, Wesson and Ling, 2003)",
                        points: points { $0.cowsTotal.map(Double.init) }),
        ]
        let lists = record.medicationHistory.enumerated().compactMap { index, list -> (LocalDate, Int, MedicationListState)? in
            list.day(calendar).map { ($0, index, list) }
        }.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        let summaries = record.medicationSummaries(calendar: calendar)
        let mme = lists.map { day, index, list in TrendPoint(day: day, value: summaries[index].totalMME, entry: list.stamp.event) }
        if mme.contains(where: { $0.value > 0 }) {
            let top = max(mme.map(\.value).max() ?? 0, MedicationFlags.reassessThreshold * 1.2)
            series.append(TrendSeries(key: "mme", name: "MME/day", title: "Opioid dose (MME a day)", maximum: (top / 10).rounded(.up) * 10,
                                      threshold: MedicationFlags.reassessThreshold,
                                      thresholdLabel: "50 MME a day: pause and reassess before any increase (\(Source.cdc2022.rawValue))",
                                      points: mme))
        }
        return series.filter { !$0.points.isEmpty }
    }
}
