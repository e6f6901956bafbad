import Foundation

/// A calendar date with no time of day or zone, written `YYYY-MM-DD`: birth dates, renewal dates, visit dates.
public struct LocalDate: Hashable, Comparable, Codable, Sendable, CustomStringConvertible {
    /// The year, 1900 to 2999.
    public let year: Int
    /// The month, 1 to 12.
    public let month: Int
    /// The day of the month.
    public let day: Int

    /// Parses `YYYY-MM-DD`; nil for anything else, including dates that do not exist (2026-02-30).
    public init?(_ text: String) {
        self.init(ascii: Array(text.utf8)[...])
    }

    /// Parses `YYYY-MM-DD` from its bytes, digit by digit: dates are read in every event a server checks.
    init?(ascii bytes: ArraySlice<UInt8>) {
        let start = bytes.startIndex
        guard bytes.count == 10, bytes[start + 4] == UInt8(ascii: "-"), bytes[start + 7] == UInt8(ascii: "-"),
              let year = ASCIIDigits.number(bytes[start..<(start + 4)]), let month = ASCIIDigits.number(bytes[(start + 5)..<(start + 7)]),
              let day = ASCIIDigits.number(bytes[(start + 8)..<(start + 10)])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// A date; nil for one that does not exist.
    public init?(year: Int, month: Int, day: Int) {
        guard (1900...2999).contains(year), (1...12).contains(month),
              (1...LocalDate.daysIn(month: month, year: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The UTC calendar date of a moment given in milliseconds since the Unix epoch.
    public init(epochMilliseconds: Int64) {
        let days = Int(floor(Double(epochMilliseconds) / 86_400_000))
        self = LocalDate(daysSinceEpoch: days)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let date = LocalDate(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a YYYY-MM-DD date: \(text)"))
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        let y = String(year), m = month < 10 ? "0\(month)" : "\(month)", d = day < 10 ? "0\(day)" : "\(day)"
        return "\(y)-\(m)-\(d)"
    }

    /// Earlier dates first.
    public static func < (lhs: LocalDate, rhs: LocalDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// The date `days` later (earlier when negative).
    public func adding(days: Int) -> LocalDate {
        LocalDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// The same day `years` later; 29 February falls back to 28 February in a common year.
    public func adding(years: Int) -> LocalDate {
        let target = year + years
        return LocalDate(year: target, month: month, day: min(day, LocalDate.daysIn(month: month, year: target)))
            ?? self
    }

    /// Days from this date to `other`.
    public func days(until other: LocalDate) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Civil-from-days and days-from-civil (H. Hinnant's algorithms), exact for the proleptic Gregorian calendar.
    var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.year = y
        self.month = m
        self.day = d
    }
}

/// Formats a moment as an ISO 8601 UTC timestamp with milliseconds, the form events record wall-clock time in.
public enum Timestamp {
    /// `2026-03-14T01:30:00.000Z` for a moment in milliseconds since the Unix epoch.
    public static func iso8601(epochMilliseconds ms: Int64) -> String {
        let date = LocalDate(epochMilliseconds: ms)
        let msOfDay = Int(((ms % 86_400_000) + 86_400_000) % 86_400_000)
        let h = msOfDay / 3_600_000, mi = msOfDay / 60_000 % 60, s = msOfDay / 1000 % 60, milli = msOfDay % 1000
        func pad(_ v: Int, _ width: Int) -> String {
            let text = String(v)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(date)T\(pad(h, 2)):\(pad(mi, 2)):\(pad(s, 2)).\(pad(milli, 3))Z"
    }

    /// Whether `text` is a moment as `iso8601` writes it (`2026-03-14T01:30:00.000Z`): a real date, a time of day,
    /// milliseconds, UTC. Checked byte by byte: it runs for every event read.
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[10] == 84, bytes[13] == 58, bytes[16] == 58, bytes[19] == 46, bytes[23] == 90,
              LocalDate(ascii: bytes[0..<10]) != nil else { return false }
        guard let hour = ASCIIDigits.number(bytes[11..<13]), let minute = ASCIIDigits.number(bytes[14..<16]),
              let second = ASCIIDigits.number(bytes[17..<19]), ASCIIDigits.number(bytes[20..<23]) != nil else { return false }
        return hour < 24 && minute < 60 && second < 60
    }
}

/// Whole numbers written in ASCII digits, read without building strings.
enum ASCIIDigits {
    /// The number `digits` spell; nil if any byte is not a digit 0-9 or there are none.
    static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        guard !digits.isEmpty else { return nil }
        var value = 0
        for byte in digits {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }
}
