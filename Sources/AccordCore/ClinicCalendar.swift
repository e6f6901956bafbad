import Foundation

/// The clinic's calendar: which day it is, and on which day a recorded moment fell, in the clinic's time zone.
/// Events record moments in UTC; a visit at 6 pm in Denver is still that day's visit.
public struct ClinicCalendar: Sendable, Equatable {
    /// The clinic's time zone.
    public let timeZone: TimeZone

    /// A calendar in `timeZone`.
    public init(timeZone: TimeZone) { self.timeZone = timeZone }

    /// UTC, for tests and for tools with no clinic.
    public static let utc = ClinicCalendar(timeZone: TimeZone(identifier: "UTC")!)

    /// A calendar for an IANA zone name ("America/Denver"); nil for a name the system does not know.
    public init?(identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        timeZone = zone
    }

    /// The clinic's date at `moment`.
    public func day(at moment: Date) -> LocalDate {
        let offset = Int64(timeZone.secondsFromGMT(for: moment)) * 1000
        return LocalDate(epochMilliseconds: Int64((moment.timeIntervalSince1970 * 1000).rounded(.down)) + offset)
    }

    /// The clinic's date now.
    public func today() -> LocalDate { day(at: Date()) }

    /// The clinic's date of an event's recorded moment (`2026-03-14T01:30:00.000Z`); nil for anything else.
    public func day(ofTimestamp timestamp: String) -> LocalDate? {
        moment(ofTimestamp: timestamp).map(day(at:))
    }

    /// The clinic's date and time of an event's recorded moment, to the minute ("2026-03-13 18:30"); nil for
    /// anything else.
    public func localTime(ofTimestamp timestamp: String) -> String? {
        guard let moment = moment(ofTimestamp: timestamp) else { return nil }
        let seconds = Int(moment.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: moment)
        let minutes = ((seconds % 86_400) + 86_400) % 86_400 / 60
        return "\(day(at: moment)) \(String(format: "%02d:%02d", minutes / 60, minutes % 60))"
    }

    private func moment(ofTimestamp timestamp: String) -> Date? {
        guard let date = LocalDate(String(timestamp.prefix(10))) else { return nil }
        let time = timestamp.dropFirst(11).prefix(12)
        let parts = time.split(whereSeparator: { $0 == ":" || $0 == "." }).compactMap { Int($0) }
        let seconds = parts.count >= 3 ? parts[0] * 3600 + parts[1] * 60 + parts[2] : 0
        let midnight = Double(LocalDate(year: 1970, month: 1, day: 1)!.days(until: date)) * 86_400
        return Date(timeIntervalSince1970: midnight + Double(seconds))
    }
}
