import AccordCore
import Testing

@Suite("Calendar dates")
struct LocalDateTests {
    @Test("valid dates parse and print back", arguments: ["1961-04-02", "2024-02-29", "2000-02-29", "2026-12-31"])
    func valid(text: String) throws {
        #expect(try #require(LocalDate(text)).description == text)
    }

    @Test("invalid dates are refused", arguments: ["2026-02-29", "1900-02-29", "2026-13-01", "2026-00-10", "2026-1-1", "26-01-01", "2026-01-32", "", "abcd-ef-gh", "2026-01-01T00:00", "１９６１-04-02", "+026-01-01", " 026-01-01", "2026-01-0a", "2026/01/01", "2026-01-011"])
    func invalid(text: String) {
        #expect(LocalDate(text) == nil)
    }

    @Test("recorded times are checked digit by digit", arguments: [
        ("2026-03-14T01:30:00.000Z", true), ("2024-02-29T23:59:59.999Z", true), ("2026-02-29T01:30:00.000Z", false),
        ("2026-03-14T24:00:00.000Z", false), ("2026-03-14T01:60:00.000Z", false), ("2026-03-14T01:30:60.000Z", false),
        ("2026-03-14T01:30:00.00aZ", false), ("2026-03-14T01:30:00.000+", false), ("2026-03-14 01:30:00.000Z", false),
        ("2026-03-14T01:30:00Z", false), ("", false)])
    func timestamps(text: String, valid: Bool) {
        #expect(Timestamp.isValid(text) == valid)
    }

    @Test("day arithmetic agrees with the calendar")
    func arithmetic() throws {
        let date = try #require(LocalDate("2024-02-28"))
        #expect(date.adding(days: 1).description == "2024-02-29")
        #expect(date.adding(days: 2).description == "2024-03-01")
        #expect(date.adding(days: 366).description == "2025-02-28")
        #expect(LocalDate("2024-02-29")!.adding(years: 1).description == "2025-02-28")
        #expect(LocalDate("2026-01-01")!.days(until: LocalDate("2027-01-01")!) == 365)
        #expect(LocalDate(epochMilliseconds: 0).description == "1970-01-01")
        #expect(Timestamp.iso8601(epochMilliseconds: 1_795_441_015_563) == "2026-11-23T13:36:55.563Z")
    }
}
