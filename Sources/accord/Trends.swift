import AccordCore

/// Terminal charts of how a patient is doing over time: each measure's points placed by date along a line of block
/// characters, so nine check-ins on one day read as one day and a gap of months reads as a gap.
enum Trends {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// One bar per value, scaled from 0 to `maximum`.
    static func bar(_ value: Double, maximum: Double) -> Character {
        let scaled = maximum > 0 ? value / maximum : 0
        return blocks[min(blocks.count - 1, max(0, Int((scaled * Double(blocks.count - 1)).rounded())))]
    }

    /// The points along `width` columns by date; where several fall in one column the latest shows.
    static func chart(_ series: TrendSeries, width: Int) -> String {
        guard let first = series.points.first?.day, let last = series.points.last?.day else { return "" }
        let days = first.days(until: last)
        let span = max(1, days)
        let columns = min(width, days + 1)
        var line = Array(repeating: Character("·"), count: columns)
        for point in series.points {
            let column = columns == 1 ? 0 : Int((Double(first.days(until: point.day)) / Double(span) * Double(columns - 1)).rounded())
            line[column] = bar(point.value, maximum: series.maximum)
        }
        return String(line)
    }

    /// A line per measure for `patient show`: the chart, the first and latest values and how many points.
    static func lines(_ record: PatientRecord, calendar: ClinicCalendar, width: Int = 32) -> [String] {
        PatientTrends.series(record, calendar: calendar).map { series in
            let first = series.points[0], last = series.points[series.points.count - 1]
            return "  \(series.name.padding(toLength: 8, withPad: " ", startingAt: 0)) \(chart(series, width: width))  \(Timeline.formatScore(first.value)) on \(first.day) → \(Timeline.formatScore(last.value)) on \(last.day), \(series.points.count) point(s)"
        }
    }
}
