import AccordCore

/// Compact terminal charts of how a patient is doing over time: PEG score per check-in and daily MME per
/// medication list, drawn with block characters.
enum Trends {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// One bar per value, scaled from 0 to `maximum`.
    static func sparkline(_ values: [Double], maximum: Double) -> String {
        String(values.map { value in
            let scaled = maximum > 0 ? value / maximum : 0
            return blocks[min(blocks.count - 1, max(0, Int((scaled * Double(blocks.count - 1)).rounded())))]
        })
    }

    /// The trend lines, each day on the clinic's calendar.
    static func lines(_ record: PatientRecord, calendar: ClinicCalendar, width: Int = 24) -> [String] {
        var lines: [String] = []
        let peg = record.checkins.compactMap { checkin in
            checkin.pegScore.map { (calendar.day(ofTimestamp: checkin.stamp.at)?.description ?? String(checkin.stamp.at.prefix(10)), $0) }
        }.suffix(width)
        if let first = peg.first, let last = peg.last {
            lines.append("  PEG (0-10)  \(sparkline(peg.map(\.1), maximum: 10))  \(Timeline.formatScore(first.1)) on \(first.0) → \(Timeline.formatScore(last.1)) on \(last.0), \(peg.count) check-in(s)")
        }
        let mme = record.medicationSummaries(calendar: calendar).map { ($0.day?.description ?? "?", $0.totalMME) }.suffix(width)
        if let first = mme.first, let last = mme.last, mme.contains(where: { $0.1 > 0 }) {
            let top = max(mme.map(\.1).max() ?? 0, MedicationFlags.reassessThreshold)
            lines.append("  MME/day     \(sparkline(mme.map(\.1), maximum: top))  \(Timeline.formatScore(first.1)) on \(first.0) → \(Timeline.formatScore(last.1)) on \(last.0), \(mme.count) list(s)")
        }
        return lines
    }
}
