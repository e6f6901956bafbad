import AccordCore

/// A trend as an inline SVG chart: points placed by date, joined by a line, the scale's ends and the threshold
/// marked, and every point's day and value in a tooltip and in the accessible label. No scripts, no external
/// resources, so it prints and can be embedded in any page.
public enum TrendSVG {
    static let width = 560.0, height = 170.0
    static let left = 44.0, right = 16.0, top = 26.0, bottom = 30.0

    /// The chart of `series`, with its threshold's meaning as a caption under it.
    public static func figure(_ series: TrendSeries) -> String {
        "<figure class=\"trend\">\(render(series))\(series.thresholdLabel.map { "<figcaption>Dashed line: \(HandoutHTML.escape($0))</figcaption>" } ?? "")</figure>"
    }

    /// The chart of `series` alone.
    public static func render(_ series: TrendSeries) -> String {
        let e = HandoutHTML.escape
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let first = series.points.first?.day, last = series.points.last?.day
        let span = Double(max(1, (first.map { f in last.map { f.days(until: $0) } ?? 0 }) ?? 0))
        func x(_ day: LocalDate) -> Double {
            guard let first, series.points.count > 1, first != last else { return left + plotWidth / 2 }
            return left + Double(first.days(until: day)) / span * plotWidth
        }
        func y(_ value: Double) -> Double { top + plotHeight - min(max(value, 0), series.maximum) / series.maximum * plotHeight }
        func number(_ value: Double) -> String { Timeline.format(value, decimals: 1) }

        let described = series.points.map { "\($0.day): \(number($0.value))" }.joined(separator: "; ")
        // Inline in HTML, so no namespace declaration: the handout names no outside address.
        var svg = "<svg class=\"trend\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(e(series.title)): \(e(described))\">"
        svg += "<text x=\"\(left)\" y=\"16\" font-size=\"13\" font-weight=\"bold\">\(e(series.title))</text>"
        // The scale: its ends, with the axis lines.
        svg += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotHeight)\" stroke=\"#666\"/>"
        svg += "<line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\" stroke=\"#666\"/>"
        svg += "<text x=\"\(left - 6)\" y=\"\(top + 4)\" font-size=\"11\" text-anchor=\"end\">\(number(series.maximum))</text>"
        svg += "<text x=\"\(left - 6)\" y=\"\(top + plotHeight + 4)\" font-size=\"11\" text-anchor=\"end\">0</text>"
        if let threshold = series.threshold {
            let level = format(y(threshold))
            svg += "<line x1=\"\(left)\" y1=\"\(level)\" x2=\"\(left + plotWidth)\" y2=\"\(level)\" stroke=\"#a00\" stroke-dasharray=\"4 3\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(format(y(threshold) + 4))\" font-size=\"11\" text-anchor=\"end\" fill=\"#a00\">\(number(threshold))</text>"
        }
        let coordinates = series.points.map { "\(format(x($0.day))),\(format(y($0.value)))" }
        if coordinates.count > 1 {
            svg += "<polyline points=\"\(coordinates.joined(separator: " "))\" fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"2\"/>"
        }
        for point in series.points {
            svg += "<circle cx=\"\(format(x(point.day)))\" cy=\"\(format(y(point.value)))\" r=\"3.5\" fill=\"#1f5fa8\"><title>\(point.day): \(number(point.value))</title></circle>"
        }
        if let first, let last {
            svg += "<text x=\"\(left)\" y=\"\(height - 8)\" font-size=\"11\">\(first)</text>"
            if last != first { svg += "<text x=\"\(left + plotWidth)\" y=\"\(height - 8)\" font-size=\"11\" text-anchor=\"end\">\(last)</text>" }
        }
        return svg + "</svg>"
    }

    private static func format(_ value: Double) -> String { Timeline.format(value, decimals: 1) }
}
