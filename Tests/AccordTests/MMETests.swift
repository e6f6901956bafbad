import AccordCore
import Foundation
import Testing

@Suite("MME from clinicians' shorthand")
struct MMETests {
    func read(_ text: String) throws -> MedicationLine { try MedicationReader.read(text) }
    func mme(_ text: String) throws -> Double? { MMECalculator.item(try read(text)).mme }

    /// Medication lines as prescriptions and EHR lists write them, each with its MME/day worked out by hand:
    /// strength per unit × units per dose × doses per day × the CDC 2022 factor (a patch: mcg/hr × 2.4).
    static let counted: [(String, Double, String)] = [
        // The guideline's worked cases and every factor in the table.
        ("fentanyl 25 mcg/hr patch q72h", 25 * 2.4, "fentanyl"),
        ("oxycodone 10 mg qid", 10 * 4 * 1.5, "oxycodone"),
        ("oxycodone 10 mg four times a day", 10 * 4 * 1.5, "oxycodone"),
        ("fentanyl 37.5 mcg/hr patch", 37.5 * 2.4, "fentanyl"),
        ("codeine 30 mg q4h", 30 * 6 * 0.15, "codeine"),
        ("hydrocodone 10 mg q6h", 10 * 4 * 1, "hydrocodone"),
        ("hydromorphone 4 mg q4h", 4 * 6 * 5, "hydromorphone"),
        ("methadone 10 mg 2 tabs tid", 10 * 2 * 3 * 4.7, "methadone"),
        ("morphine ER 20 mg daily", 20 * 1 * 1, "morphine"),
        ("oxycodone ER 30 mg bid", 30 * 2 * 1.5, "oxycodone"),
        ("oxymorphone 10 mg q12h", 10 * 2 * 3, "oxymorphone"),
        ("tapentadol 50 mg q6h", 50 * 4 * 0.4, "tapentadol"),
        ("tramadol 50 mg qid", 50 * 4 * 0.2, "tramadol"),
        ("fentanyl 50 mcg/hr transdermal every 72 hours", 50 * 2.4, "fentanyl"),
        // Frequencies, ranges and as-needed orders, at their maximum.
        ("hydrocodone 5 mg 1-2 tabs q4-6h prn", 5 * 2 * 6 * 1, "hydrocodone"),
        ("oxycodone 5 mg every 4 hours prn", 5 * 6 * 1.5, "oxycodone"),
        ("oxycodone 5 mg every 4-6 hours", 5 * 6 * 1.5, "oxycodone"),
        ("oxycodone 5 mg tid", 5 * 3 * 1.5, "oxycodone"),
        ("oxycodone 5 mg bid", 5 * 2 * 1.5, "oxycodone"),
        ("oxycodone 5 mg twice daily", 5 * 2 * 1.5, "oxycodone"),
        ("oxycodone 5 mg daily", 5 * 1 * 1.5, "oxycodone"),
        ("oxycodone 5 mg qhs", 5 * 1 * 1.5, "oxycodone"),
        ("oxycodone 5 mg 3 times a day", 5 * 3 * 1.5, "oxycodone"),
        ("oxycodone 10 mg every 2 days", 10 * 0.5 * 1.5, "oxycodone"),
        ("oxycodone 10 mg every other day", 10 * 0.5 * 1.5, "oxycodone"),
        ("oxycodone 70 mg weekly", 70.0 / 7 * 1.5, "oxycodone"),
        ("oxycodone 5-10 mg q4h prn", 10 * 6 * 1.5, "oxycodone"),
        ("oxycodone 5 to 10 mg q6h as needed", 10 * 4 * 1.5, "oxycodone"),
        ("oxycodone 10 mg 1 to 2 tablets every 6 hours as needed", 10 * 2 * 4 * 1.5, "oxycodone"),
        ("morphine sulfate IR 15 mg 1 tab PO q4h PRN pain", 15 * 6 * 1, "morphine"),
        ("Oxycodone HCl 5 mg tablet, take 1 tablet by mouth every 6 hours", 5 * 4 * 1.5, "oxycodone"),
        // Combination products: each strength to its ingredient by position, in either order, with /, - or "and".
        ("acetaminophen/oxycodone 325/7.5 mg 1 tab q4h", 7.5 * 6 * 1.5, "oxycodone"),
        ("oxycodone/acetaminophen 7.5/325 mg 1 tab q4h", 7.5 * 6 * 1.5, "oxycodone"),
        ("hydrocodone-acetaminophen 10-325 mg 1 tab q6h prn", 10 * 4 * 1, "hydrocodone"),
        ("acetaminophen-hydrocodone 325-5 mg 2 tabs q6h", 5 * 2 * 4 * 1, "hydrocodone"),
        ("hydrocodone bitartrate and acetaminophen 7.5 and 325 mg q6h", 7.5 * 4 * 1, "hydrocodone"),
        ("oxycodone and acetaminophen 5/325 mg q6h prn", 5 * 4 * 1.5, "oxycodone"),
        ("hydrocodone/acetaminophen 5/325 mg 1 tab q6h as needed", 5 * 4 * 1, "hydrocodone"),
        ("oxycodone 5 mg / acetaminophen 325 mg 1 tab q6h", 5 * 4 * 1.5, "oxycodone"),
        ("hydrocodone/ibuprofen 7.5/200 mg tid", 7.5 * 3 * 1, "hydrocodone"),
        ("tramadol/acetaminophen 37.5/325 mg 2 tabs q6h", 37.5 * 2 * 4 * 0.2, "tramadol"),
        ("codeine/acetaminophen 30/300 mg 1-2 tabs q4h prn", 30 * 2 * 6 * 0.15, "codeine"),
        ("oxycodone 5/325 q6h", 5 * 4 * 1.5, "oxycodone"),
        // Brand names, mapped to their ingredients and forms.
        ("Percocet 10/325 mg q8h", 10 * 3 * 1.5, "oxycodone"),
        ("OxyContin 20 mg q12h", 20 * 2 * 1.5, "oxycodone"),
        ("Norco 10/325 1 tab q6h prn", 10 * 4 * 1, "hydrocodone"),
        ("Vicodin 5/300 mg 1 tab q6h", 5 * 4 * 1, "hydrocodone"),
        ("MS Contin 30 mg bid", 30 * 2 * 1, "morphine"),
        ("Kadian 20 mg daily", 20 * 1 * 1, "morphine"),
        ("Dilaudid 2 mg q4h prn", 2 * 6 * 5, "hydromorphone"),
        ("Duragesic 12 mcg/hr patch", 12 * 2.4, "fentanyl"),
        ("Ultram 50 mg 2 tabs q6h", 50 * 2 * 4 * 0.2, "tramadol"),
        ("Nucynta 100 mg q12h", 100 * 2 * 0.4, "tapentadol"),
        ("Nucynta ER 100 mg bid", 100 * 2 * 0.4, "tapentadol"),
        ("Ultracet 2 tabs q6h prn", 37.5 * 2 * 4 * 0.2, "tramadol"),
        ("Tylenol #3 1 tab q4h prn", 30 * 6 * 0.15, "codeine"),
        ("Tylenol with codeine #4 1 tab q6h", 60 * 4 * 0.15, "codeine"),
        ("Hysingla ER 30 mg daily", 30 * 1 * 1, "hydrocodone"),
        ("Xtampza ER 18 mg q12h", 18 * 2 * 1.5, "oxycodone"),
        ("Opana ER 10 mg bid", 10 * 2 * 3, "oxymorphone"),
        ("Dolophine 5 mg tid", 5 * 3 * 4.7, "methadone"),
        ("Roxicodone 15 mg q4h prn", 15 * 6 * 1.5, "oxycodone"),
        // Patches: the count worn at once; the change interval does not matter.
        ("fentanyl 25 mcg/hr 2 patches q72h", 25 * 2 * 2.4, "fentanyl"),
        ("Duragesic 50 mcg q72h", 50 * 2.4, "fentanyl"),
        ("fentanyl 75 mcg/hr 1 patch every 72 hours", 75 * 2.4, "fentanyl"),
        ("fentanyl transdermal 75 mcg/h change every 3 days", 75 * 2.4, "fentanyl"),
        ("fentanyl 12 mcg per hour patch", 12 * 2.4, "fentanyl"),
        ("fentanyl 50 µg/hr patch q48h", 50 * 2.4, "fentanyl"),
        // Oral liquids: mg per mL × mL per dose.
        ("oxycodone 5 mg/5 mL 10 mL q6h", 1 * 10 * 4 * 1.5, "oxycodone"),
        ("oxycodone oral solution 5 mg/5 ml 5-10 ml q4h prn", 1 * 10 * 6 * 1.5, "oxycodone"),
        ("morphine 20 mg/mL 0.5 mL q4h", 20 * 0.5 * 6 * 1, "morphine"),
        ("methadone 10 mg/5 mL 5 mL bid", 2 * 5 * 2 * 4.7, "methadone"),
        ("hydromorphone 1 mg/mL 2 mL q6h", 1 * 2 * 4 * 5, "hydromorphone"),
        ("hydrocodone/acetaminophen 7.5/325 mg/15 mL 15 mL q6h", 0.5 * 15 * 4 * 1, "hydrocodone"),
        // Units in mcg for an opioid dosed in mg.
        ("hydromorphone 500 mcg q4h", 0.5 * 6 * 5, "hydromorphone"),
    ]

    @Test("every counted line gives its hand-worked MME", arguments: counted)
    func countedLines(text: String, expected: Double, ingredient: String) throws {
        let item = MMECalculator.item(try read(text))
        let value = try #require(item.mme, "\(text) was not counted: \(item.note ?? "")")
        #expect(abs(value - expected) < 1e-6, "\(text) gave \(value), expected \(expected)")
        #expect(item.ingredient == ingredient)
        #expect(item.counted && item.opioid)
    }

    @Test("the table holds at least 60 lines")
    func enoughLines() { #expect(Self.counted.count >= 60) }

    @Test("opioids the total cannot count are shown as opioids and make the total incomplete", arguments: [
        ("meperidine 50 mg q4h", "meperidine"), ("levorphanol 2 mg q6h", "levorphanol"), ("dihydrocodeine 30 mg q6h", "dihydrocodeine"),
        ("butorphanol 1 mg nasal spray q4h prn", "butorphanol"), ("pentazocine 50 mg q4h", "pentazocine"),
        ("Demerol 100 mg q4h prn", "meperidine"), ("fentanyl 200 mcg buccal q4h prn", "fentanyl"), ("Actiq 400 mcg", "fentanyl"),
        ("fentanyl 100 mcg nasal spray", "fentanyl"), ("nalbuphine 10 mg q6h", "nalbuphine"),
    ] as [(String, String)])
    func incomplete(text: String, ingredient: String) throws {
        let result = MMECalculator.compute([try read(text), try read("oxycodone 10 mg q6h")])
        #expect(result.items[0].ingredient == ingredient)
        #expect(result.items[0].opioid && !result.items[0].counted && result.items[0].mme == nil)
        #expect(result.items[0].note?.contains("NOT COUNTED") == true)
        #expect(!result.complete)
        #expect(result.incomplete.count == 1)
        #expect(abs(result.totalMME - 60) < 1e-6)
        #expect(result.flags.map(\.key).contains("mme-incomplete"))
        let json = String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
        #expect(json.contains(#""complete":false"#))
    }

    @Test("buprenorphine is left out by the guideline itself: the total stays complete")
    func buprenorphine() throws {
        let result = MMECalculator.compute([try read("Butrans 10 mcg/hr patch weekly"), try read("oxycodone 5 mg q6h")])
        #expect(result.complete)
        #expect(result.items[0].opioid && !result.items[0].counted)
        #expect(result.items[0].note?.contains("buprenorphine") == true)
    }

    @Test("treatment for opioid use disorder is marked, not counted, and gets its own guidance", arguments: [
        "methadone 80 mg daily for OUD", "methadone 100 mg daily (OUD)", "buprenorphine/naloxone 8/2 mg SL daily",
        "Suboxone 8/2 mg film SL bid", "buprenorphine 8 mg SL daily for opioid use disorder", "Sublocade 300 mg monthly injection",
        "Zubsolv 5.7/1.4 mg daily",
    ])
    func opioidUseDisorder(text: String) throws {
        let line = try read(text)
        #expect(line.opioidUseDisorderTreatment)
        let result = MMECalculator.compute([line, try read("alprazolam 0.5 mg bid")])
        #expect(result.totalMME == 0)
        #expect(result.complete)
        #expect(result.items[0].opioidUseDisorderTreatment && !result.items[0].counted)
        let keys = result.flags.map(\.key)
        #expect(keys.contains("oud-treatment"))
        #expect(keys.contains("cns-depressant"), "the benzodiazepine flag must survive an OUD line")
        #expect(!keys.contains("mme-50"))
        #expect(!line.isRescueAntagonist, "buprenorphine with naloxone is not a rescue supply")
    }

    @Test("methadone for pain is counted and carries the QTc and half-life caution with its source")
    func methadoneCaution() throws {
        let item = MMECalculator.item(try read("methadone 10 mg tid"))
        #expect(abs((item.mme ?? 0) - 10 * 3 * 4.7) < 1e-6)
        #expect(item.caution?.contains("QTc") == true && item.caution?.contains("half-life") == true)
        #expect(item.caution?.contains("CDC 2022") == true)
        #expect(MMECalculator.compute([try read("methadone 10 mg tid")]).flags.map(\.key).contains("methadone-caution"))
        #expect(!MMECalculator.compute([try read("morphine 15 mg q4h")]).flags.map(\.key).contains("methadone-caution"))
    }

    @Test("benzodiazepines and other CNS depressants, by ingredient and brand, raise the co-prescription flag", arguments: [
        "alprazolam 0.5 mg tid", "oxazepam 15 mg tid", "temazepam 30 mg qhs", "triazolam 0.25 mg qhs", "clorazepate 7.5 mg bid",
        "estazolam 1 mg qhs", "flurazepam 15 mg qhs", "lorazepam 1 mg bid", "Ativan 1 mg bid", "Xanax 1 mg tid", "Restoril 15 mg qhs",
        "Halcion 0.25 mg qhs", "Klonopin 0.5 mg bid", "Valium 5 mg tid", "zolpidem 10 mg qhs", "Ambien 5 mg qhs", "Lunesta 2 mg qhs",
        "gabapentin 300 mg tid", "Lyrica 75 mg bid", "Soma 350 mg tid", "cyclobenzaprine 10 mg tid", "baclofen 10 mg tid",
        "tizanidine 4 mg q8h", "phenobarbital 30 mg bid", "Fioricet 1 tab q4h prn", "methocarbamol 750 mg qid",
    ])
    func depressants(text: String) throws {
        let line = try read(text)
        #expect(line.isCNSDepressant && !line.isOpioid)
        let flags = MMECalculator.compute([line, try read("tramadol 50 mg bid")]).flags.map(\.key)
        #expect(flags == ["cns-depressant"])
        #expect(MMECalculator.compute([line]).flags.isEmpty, "no opioid, no co-prescription flag")
    }

    @Test("sums across several opioids and flags 50, the 2016 threshold of 90, and a benzodiazepine")
    func sumsAndFlags() throws {
        let result = MMECalculator.compute(try ["fentanyl 37.5 mcg/hr patch", "oxycodone 10 mg q6h prn", "alprazolam 0.5 mg bid"].map { try read($0) })
        #expect(abs(result.totalMME - 150) < 1e-6)
        #expect(result.flags.map(\.key) == ["mme-50", "mme-90-2016", "cns-depressant"])
        #expect(result.flags.allSatisfy { !$0.source.isEmpty })
        #expect(MMECalculator.compute([try read("tramadol 50 mg bid")]).flags.isEmpty)
        #expect(MMECalculator.compute([try read("oxycodone 5 mg q6h")]).flags.isEmpty, "30 MME/day is under 50")
        #expect(MMECalculator.compute([try read("oxycodone 10 mg q6h")]).flags.map(\.key) == ["mme-50"])
    }

    @Test("exactly 50 from patch arithmetic still counts as 50 (tolerance)")
    func tolerance() {
        #expect(MMECalculator.atLeast(49.99999999, 50))
        #expect(!MMECalculator.atLeast(49.9, 50))
        #expect(MMECalculator.rounded(179.99999999) == 180)
    }

    @Test("text that cannot be read is an error naming the part, with the names it may have meant", arguments: [
        ("oxycodone ten mg q6h", "'ten mg'"),
        ("oxycodone 10 mg", "no frequency"),
        ("oxycodone 10 mg prn", "the most often"),
        ("oxycodone q6h", "no strength"),
        ("oxycodone 10 mg q6h with a glass of wine", "'glass wine'"),
        ("fentanyl 25 mg patch", "mcg/hr"),
        ("fentanyl 50 mcg q4h", "patch (strength in mcg/hr) or a buccal"),
        ("", "empty"),
        ("10 mg q6h", "name of a medicine"),
        ("oxycodone 10 mg q0h", "not a usable interval"),
        ("oxycodon 10 mg q6h", "did you mean oxycodone?"),
        ("hydrocodon-acetaminophen 10-325 mg q6h", "did you mean hydrocodone?"),
        ("hydrocodone/acetaminofen 10/325 mg q6h", "did you mean acetaminophen?"),
        ("lisinopril 10 mg daily", "other: lisinopril 10 mg daily"),
        ("oxycodone 0 mg q6h", "a dose of 0"),
        ("oxycodone 10 mg 0 tabs q6h", "a dose of 0"),
        ("percocet 10/325/5 mg q6h", "3 strengths for 2 ingredients"),
        ("oxycodone 5 mg/5 mL q6h", "volume of each dose"),
        ("alprazolam 1 mg bid for OUD", "only an opioid"),
    ] as [(String, String)])
    func unreadable(text: String, part: String) {
        do {
            _ = try MedicationReader.read(text)
            Issue.record("\(text) was read")
        } catch {
            #expect(error.description.contains(part), "\(error.description)")
        }
    }

    @Test("a line outside the vocabulary is accepted only when written as other:")
    func other() throws {
        let line = try read("other: lisinopril 10 mg daily")
        #expect(line.outsideVocabulary && !line.isOpioid && !line.isCNSDepressant)
        #expect(MMECalculator.compute([line]).complete)
    }

    @Test("implausible doses are named so they can be confirmed; ordinary ones are not", arguments: [
        ("oxycodone 1000 mg q1h", 3), ("oxycodone 10 mg q1h", 1), ("oxycodone 10 mg 6 tabs q6h", 1),
        ("fentanyl 100 mcg/hr 3 patches", 1), ("oxycodone 10 mg q6h", 0), ("methadone 80 mg daily for OUD", 0),
        ("fentanyl 100 mcg/hr 2 patches", 0), ("morphine ER 200 mg bid", 0),
    ] as [(String, Int)])
    func unusual(text: String, concerns: Int) throws {
        let found = DoseLimits.concerns(try read(text))
        #expect(found.count == concerns, "\(found)")
    }

    @Test("forms: extended release, patches, transmucosal and liquids are told apart", arguments: [
        ("OxyContin 20 mg q12h", DoseForm.extendedRelease), ("oxycodone ER 20 mg q12h", .extendedRelease),
        ("morphine extended-release 30 mg bid", .extendedRelease), ("oxycodone 5 mg q6h", .tablet),
        ("Duragesic 25 mcg q72h", .patch), ("fentanyl 600 mcg sublingual", .transmucosal), ("oxycodone 5 mg/5 mL 5 mL q6h", .oralLiquid),
    ] as [(String, DoseForm)])
    func forms(text: String, form: DoseForm) throws {
        #expect(try read(text).form == form)
    }
}

@Suite("Medication vocabulary")
struct VocabularyTests {
    let vocabulary = MedicationVocabulary.shipped

    @Test("the CDC 2022 table: every factor and RxNorm ingredient code", arguments: [
        ("codeine", 0.15, "2670"), ("fentanyl", 2.4, "4337"), ("hydrocodone", 1, "5489"), ("hydromorphone", 5, "3423"),
        ("methadone", 4.7, "6813"), ("morphine", 1, "7052"), ("oxycodone", 1.5, "7804"), ("oxymorphone", 3, "7814"),
        ("tapentadol", 0.4, "787390"), ("tramadol", 0.2, "10689"),
    ] as [(String, Double, String)])
    func table(name: String, factor: Double, rxNorm: String) throws {
        let ingredient = try #require(vocabulary.ingredient(named: name))
        #expect(ingredient.mmeFactor == factor)
        #expect(ingredient.rxNorm == rxNorm)
        #expect(ingredient.isOpioid)
    }

    @Test("opioids outside the 2022 table have no factor, never zero")
    func noFactor() {
        let opioids = vocabulary.ingredients.filter(\.isOpioid)
        #expect(opioids.count >= 19)
        let withFactor = opioids.filter { $0.mmeFactor != nil }.map(\.name).sorted()
        #expect(withFactor == ["codeine", "fentanyl", "hydrocodone", "hydromorphone", "methadone", "morphine", "oxycodone", "oxymorphone", "tapentadol", "tramadol"])
        #expect(vocabulary.ingredients.allSatisfy { $0.mmeFactor != 0 })
    }

    @Test("every strength list is sorted and positive, and a vocabulary with a broken product is refused")
    func integrity() throws {
        for ingredient in vocabulary.ingredients {
            for (_, strengths) in ingredient.strengths { #expect(strengths == strengths.sorted() && strengths.allSatisfy { $0 > 0 }) }
        }
        let broken = #"{"ingredients": [], "products": [{"name": "x", "ingredients": ["nothing"]}]}"#
        #expect(throws: (any Error).self) { try MedicationVocabulary(json: Data(broken.utf8)) }
        let twice = #"{"ingredients": [{"name": "a", "class": "opioid"}, {"name": "a", "class": "opioid"}], "products": []}"#
        #expect(throws: (any Error).self) { try MedicationVocabulary(json: Data(twice.utf8)) }
    }

    @Test("suggestions find the name a misspelling meant")
    func suggestions() {
        #expect(vocabulary.suggestions(for: "oxycodon").first == "oxycodone")
        #expect(vocabulary.suggestions(for: "hydrocodne").first == "hydrocodone")
        #expect(vocabulary.suggestions(for: "lorazepan").first == "lorazepam")
        #expect(vocabulary.suggestions(for: "lisinopril").isEmpty)
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

    /// The published COWS (Wesson and Ling, 2003): each item's only scores, in order.
    static let cowsScale: [[Int]] = [[0, 1, 2, 4], [0, 1, 2, 3, 4], [0, 1, 3, 5], [0, 1, 2, 5], [0, 1, 2, 4], [0, 1, 2, 4],
                                     [0, 1, 2, 3, 5], [0, 1, 2, 4], [0, 1, 2, 4], [0, 1, 2, 4], [0, 3, 5]]

    @Test("COWS is checked item by item against the published scale: every score it allows, and no other")
    func cowsItemByItem() throws {
        #expect(CheckinInstruments.cowsItems.map(\.scores) == Self.cowsScale)
        for (index, allowed) in Self.cowsScale.enumerated() {
            for score in 0...6 {
                var items = Array(repeating: 0, count: 11)
                items[index] = score
                let accepted = (try? EventRules.validate(.checkinRecorded(CheckinRecorded(cows: items)))) != nil
                #expect(accepted == allowed.contains(score), "COWS item \(index + 1) score \(score)")
            }
        }
        #expect(Self.cowsScale.map { $0.max()! }.reduce(0, +) == 48)
    }

    @Test("PEG and PHQ-2 take every score of their range, and only those")
    func pegAndPHQ2() {
        for score in -1...11 {
            let peg = (try? EventRules.validate(.checkinRecorded(CheckinRecorded(peg: [score, 0, 0])))) != nil
            #expect(peg == (0...10).contains(score))
            let phq = (try? EventRules.validate(.checkinRecorded(CheckinRecorded(phq2: [0, score])))) != nil
            #expect(phq == (0...3).contains(score))
        }
    }
}
