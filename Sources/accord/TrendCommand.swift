import AccordCore
import AccordKit
import ArgumentParser

struct TrendCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trend",
        abstract: "PEG, PHQ-2, COWS and MME over time: a dated table of values and a chart of each.",
        discussion: "Each point counts on the day it was observed: a check-in entered later with --on counts on the day of the visit. The handout (accord export --format handout) draws the same PEG and MME charts."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var patient: PatientOption

    func run() throws {
        let chart = try LoadedPatient.load(try store.open(), patient.patient)
        let series = PatientTrends.series(chart.record, calendar: chart.calendar)
        if output.json { return try Output.json(series) }
        guard !series.isEmpty else {
            return print("No scores or opioid doses are recorded for \(chart.record.name) yet (accord checkin, accord meds).")
        }
        print("Trends for \(chart.record.name)")
        print("")
        print(TrendTable.render(series))
        for each in series {
            let first = each.points[0].day, last = each.points[each.points.count - 1].day
            print("")
            print("\(each.title): \(each.points.count) point(s) from \(first) to \(last)")
            print("  \(Timeline.formatScore(each.maximum).padding(toLength: 3, withPad: " ", startingAt: 0)) ┤")
            print("      \(Trends.chart(each, width: 60))")
            print("  0   └" + String(repeating: "─", count: max(1, min(60, first.days(until: last) + 1))))
            if let label = each.thresholdLabel { print("      threshold: \(label)") }
        }
    }
}

/// The dated table: one row per day, one column per measure, the day's latest value.
enum TrendTable {
    static func render(_ series: [TrendSeries]) -> String {
        let days = Array(Set(series.flatMap { $0.points.map(\.day) })).sorted()
        let names = series.map(\.name)
        var rows = ["date        " + names.map { $0.padding(toLength: 8, withPad: " ", startingAt: 0) }.joined()]
        for day in days {
            let cells = series.map { each in
                (each.points.last { $0.day == day }.map { Timeline.formatScore($0.value) } ?? "-").padding(toLength: 8, withPad: " ", startingAt: 0)
            }
            rows.append("\(day)  " + cells.joined())
        }
        return rows.map { $0.trimmingTrailingSpaces }.joined(separator: "\n")
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
