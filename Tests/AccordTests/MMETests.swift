import AccordCore
import Testing

@Suite("MME from clinicians' shorthand")
struct MMETests {
    func mme(_ text: String) throws -> Double? {
        MMECalculator.item(try MedicationReader.read(text)).mme
    }

    @Test("the guideline's worked cases", arguments: [
        ("fentanyl 25 mcg/hr patch q72h", 60.0),
        ("oxycodone 10 mg qid", 60.0),
        ("oxycodone 10 mg four times a day", 60.0),
        ("fentanyl 37.5 mcg/hr patch", 90.0),
    ] as [(String, Double)])
    func workedCases(text: String, expected: Double) throws {
        let value = try #require(try mme(text))
        #expect(abs(value - expected) < 1e-6, "\(text) gave \(value)")
    }

    @Test("every factor in the CDC 2022 table", arguments: [
        ("codeine 30 mg q4h", 27.0),
        ("hydrocodone 10 mg q6h", 40.0),
        ("hydromorphone 4 mg q4h", 120.0),
        ("methadone 10 mg 2 tabs tid", 282.0),
        ("morphine ER 20 mg daily", 20.0),
        ("oxycodone ER 30 mg bid", 90.0),
        ("oxymorphone 10 mg q12h", 60.0),
        ("tapentadol 50 mg q6h", 80.0),
        ("tramadol 50 mg qid", 40.0),
        ("fentanyl 50 mcg/hr transdermal every 72 hours", 120.0),
    ] as [(String, Double)])
    func factors(text: String, expected: Double) throws {
        let value = try #require(try mme(text))
        #expect(abs(value - expected) < 1e-6, "\(text) gave \(value)")
    }

    @Test("frequencies, ranges and as-needed orders count at their maximum", arguments: [
        ("hydrocodone 5 mg 1-2 tabs q4-6h prn", 60.0),
        ("hydrocodone/acetaminophen 5/325 mg 1 tab q6h as needed", 20.0),
        ("oxycodone 5 mg every 4 hours prn", 45.0),
        ("oxycodone 5 mg every 4-6 hours", 45.0),
        ("oxycodone 5 mg tid", 22.5),
        ("oxycodone 5 mg bid", 15.0),
        ("oxycodone 5 mg twice daily", 15.0),
        ("oxycodone 5 mg daily", 7.5),
        ("oxycodone 5 mg qhs", 7.5),
        ("oxycodone 5 mg 3 times a day", 22.5),
        ("oxycodone 10 mg every 2 days", 7.5),
        ("oxycodone 10 mg every other day", 7.5),
        ("oxycodone 70 mg weekly", 15.0),
        ("Percocet 10/325 mg q8h", 45.0),
        ("OxyContin 20 mg q12h", 60.0),
        ("Norco 10/325 1 tab q6h prn", 40.0),
        ("MS Contin 30 mg bid", 60.0),
        ("Dilaudid 2 mg q4h prn", 60.0),
        ("Duragesic 12 mcg/hr patch", 28.8),
        ("Ultram 50 mg 2 tabs q6h", 80.0),
        ("Nucynta 100 mg q12h", 80.0),
    ] as [(String, Double)])
    func frequencies(text: String, expected: Double) throws {
        let value = try #require(try mme(text))
        #expect(abs(value - expected) < 1e-6, "\(text) gave \(value)")
    }

    @Test("buprenorphine, transmucosal fentanyl and unknown drugs are listed as not counted, with the reason")
    func notCounted() throws {
        let result = MMECalculator.compute(try ["buprenorphine 8 mg daily", "fentanyl 200 mcg buccal", "Actiq 400 mcg", "levorphanol 2 mg q6h", "oxycodone 10 mg q6h"].map(MedicationReader.read))
        #expect(abs(result.totalMME - 60) < 1e-6)
        #expect(result.items[0].counted == false && result.items[0].note?.contains("buprenorphine") == true)
        #expect(result.items[1].counted == false && result.items[1].note?.contains("transmucosal fentanyl") == true)
        #expect(result.items[2].ingredient == "fentanyl transmucosal")
        #expect(result.items[3].counted == false && result.items[3].note?.contains("'levorphanol' has no MME conversion factor") == true)
        #expect(result.items.allSatisfy { $0.counted || $0.note != nil })
    }

    @Test("sums across several opioids and flags 50, the 2016 threshold of 90, and a benzodiazepine")
    func sumsAndFlags() throws {
        let result = MMECalculator.compute(try ["fentanyl 37.5 mcg/hr patch", "oxycodone 10 mg q6h prn", "alprazolam 0.5 mg bid"].map(MedicationReader.read))
        #expect(abs(result.totalMME - 150) < 1e-6)
        #expect(result.flags.map(\.key) == ["mme-50", "mme-90-2016", "cns-depressant"])
        #expect(result.flags.allSatisfy { !$0.source.isEmpty })
        let low = MMECalculator.compute([try MedicationReader.read("tramadol 50 mg bid")])
        #expect(low.flags.isEmpty)
    }

    @Test("exactly 50 from patch arithmetic still counts as 50 (tolerance)")
    func tolerance() {
        #expect(MMECalculator.atLeast(49.99999999, 50))
        #expect(!MMECalculator.atLeast(49.9, 50))
        #expect(MMECalculator.rounded(179.99999999) == 180)
    }

    @Test("text that cannot be read is an error naming the part", arguments: [
        ("oxycodone ten mg q6h", "'ten mg'"),
        ("oxycodone 10 mg", "no frequency"),
        ("oxycodone 10 mg prn", "the most often"),
        ("oxycodone q6h", "no strength"),
        ("oxycodone 10 mg q6h with a glass of wine", "'glass wine'"),
        ("fentanyl 25 mg patch", "mcg/hr"),
        ("", "empty"),
        ("10 mg q6h", "name of a medicine"),
        ("oxycodone 10 mg q0h", "not a usable interval"),
    ] as [(String, String)])
    func unreadable(text: String, part: String) {
        do {
            _ = try MedicationReader.read(text)
            Issue.record("\(text) was read")
        } catch {
            #expect(error.description.contains(part), "\(error.description)")
        }
    }
}

@Suite("Check-in scoring")
struct ScoringTests {
    @Test("PEG is the mean of its three items; PHQ-2 screens positive at 3; COWS bands at 5, 13, 25 and 37")
    func scoring() {
        #expect(CheckinInstruments.pegScore([7, 6, 5]) == 6)
        #expect(CheckinInstruments.pegScore([0, 0, 1]) == 1.0 / 3)
        #expect(!CheckinInstruments.phq2Positive([1, 1]))
        #expect(CheckinInstruments.phq2Positive([1, 2]))
        #expect([4, 5, 12, 13, 24, 25, 36, 37, 48].map(CheckinInstruments.cowsBand(total:)) ==
                ["below mild", "mild", "mild", "moderate", "moderate", "moderately severe", "moderately severe", "severe", "severe"])
        #expect(CheckinInstruments.cowsItemMaximums.reduce(0, +) == 48)
    }

    @Test("scores outside each instrument's bounds are refused", arguments: [
        CheckinRecorded(peg: [11, 0, 0]), CheckinRecorded(peg: [-1, 0, 0]), CheckinRecorded(peg: [1, 2]),
        CheckinRecorded(phq2: [4, 0]), CheckinRecorded(phq2: [1, 1, 1]),
        CheckinRecorded(cows: [5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), CheckinRecorded(cows: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6]), CheckinRecorded(cows: [0]),
    ])
    func bounds(checkin: CheckinRecorded) {
        #expect(throws: RuleViolation.self) { try EventRules.validate(.checkinRecorded(checkin)) }
    }
}
