import AccordCore
import AccordExport
import AccordServer
import Foundation
import Testing

/// FHIR R4 export and the patient's handout: checked against FHIR's rules, a reviewed expected file, a real browser,
/// and the command line's failure paths.
@Suite("Export: FHIR R4 and the patient's copy", .serialized)
struct ExportTests {
    static let expectedFile = Paths.packageRoot.appendingPathComponent("Tests/Fixtures/fhir-expected.json")

    static func json(_ value: FHIRValue) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value) + Data("\n".utf8)
    }

    /// Runs the project's FHIR R4 rule checker on files; returns its exit status and output.
    static func check(_ files: [URL]) throws -> ProcessResult {
        try Run.process(URL(fileURLWithPath: "/usr/bin/env"), ["python3", Paths.packageRoot.appendingPathComponent("scripts/check-fhir-r4.py").path] + files.map(\.path))
    }

    @Test("the export of a fixed log equals the reviewed file, whatever order the events arrived in")
    func matchesReviewedFile() throws {
        let events = ExportFixture.events()
        let record = try #require(Projection.fold(events))
        let exported = try Self.json(FHIRBundle.build(record, exportedAt: ExportFixture.exportedAt))
        if ProcessInfo.processInfo.environment["ACCORD_UPDATE_EXPECTED"] == "1" {
            try exported.write(to: Self.expectedFile)
        }
        let expected = try Data(contentsOf: Self.expectedFile)
        #expect(exported == expected, "the FHIR export changed; review it and rerun with ACCORD_UPDATE_EXPECTED=1 if the change is intended")
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<5 {
            let shuffled = try #require(Projection.fold(events.shuffled(using: &generator)))
            #expect(try Self.json(FHIRBundle.build(shuffled, exportedAt: ExportFixture.exportedAt)) == expected)
        }
    }

    @Test("every resource passes the FHIR R4 rules: elements, cardinality, codes, check digits, references")
    func followsFHIRRules() throws {
        let folder = TemporaryDirectory("fhir")
        defer { folder.remove() }
        let file = folder.path("bundle.json")
        try Data(contentsOf: Self.expectedFile).write(to: file)
        let result = try Self.check([file])
        #expect(result.status == 0, "\(result.stdout)")
        for type in ["Patient", "Goal", "Consent", "Procedure", "Contract", "CarePlan", "MedicationRequest", "QuestionnaireResponse", "Observation", "Provenance", "Practitioner", "Organization"] {
            #expect(result.stdout.contains(" \(type)="), "the fixed export has no \(type)")
        }
        let bundle = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let resources = (bundle["entry"] as? [[String: Any]] ?? []).compactMap { $0["resource"] as? [String: Any] }
        func all(_ type: String) -> [[String: Any]] { resources.filter { $0["resourceType"] as? String == type } }
        #expect(all("Contract").map { $0["status"] as? String } == ["terminated", "amended", "renewed", "executed"])
        #expect(all("CarePlan").first?["status"] as? String == "on-hold")
        #expect(all("MedicationRequest").count == 4)
        #expect(Set(all("Goal").map { $0["lifecycleStatus"] as? String }) == ["active", "completed"])
        #expect(all("Consent").first?["status"] as? String == "active")
        #expect(Set(all("Observation").compactMap { (($0["code"] as? [String: Any])?["coding"] as? [[String: Any]])?.first?["code"] as? String }) == ["91147-9", "55758-7", "cows-total", "urine-drug-test"])
        // A urine drug test's result is interpreted against what is prescribed; a pending one has no value yet.
        let tests = all("Observation").filter { (($0["code"] as? [String: Any])?["coding"] as? [[String: Any]])?.first?["code"] as? String == "urine-drug-test" }
        #expect(Set(tests.map { $0["status"] as? String }) == ["final", "registered"])
        #expect(tests.filter { $0["valueCodeableConcept"] != nil }.count == 2, "the pending test has no value")
        let pdmp = all("Procedure").filter { (($0["code"] as? [String: Any])?["coding"] as? [[String: Any]])?.first?["code"] as? String == "461621000124108" }
        #expect(pdmp.count == 2, "the check noted at the check-in and the one recorded on its own")
    }

    @Test("the rule checker refuses broken bundles, one rule at a time", arguments: [
        ("\"lifecycleStatus\" : \"active\"", "\"lifecycleStatus\" : \"ongoing\"", "not one of the required codes"),
        ("\"91147-9\"", "\"91147-8\"", "mod-10 check digit"),
        ("\"460831000124102\"", "\"460831000124103\"", "Verhoeff"),
        ("\"resourceType\" : \"Goal\"", "\"resourceTyp\" : \"Goal\"", "not one the export writes"),
        ("\"recorded\" : \"2026-09-22T08:00:00.000Z\"", "\"recorded\" : \"2026-09-22\"", "not a valid instant"),
        ("\"intent\" : \"plan\"", "\"intnet\" : \"plan\"", "is required"),
        ("\"status\" : \"on-hold\",\n        \"subject\"", "\"status\" : \"paused\",\n        \"subject\"", "not one of the required codes"),
    ])
    func checkerRejects(original: String, replacement: String, message: String) throws {
        let folder = TemporaryDirectory("fhir-bad")
        defer { folder.remove() }
        let text = try String(contentsOf: Self.expectedFile, encoding: .utf8)
        #expect(text.contains(original), "the fixture no longer contains \(original)")
        let file = folder.path("bad.json")
        try text.replacingOccurrences(of: original, with: replacement).write(to: file, atomically: true, encoding: .utf8)
        let result = try Self.check([file])
        #expect(result.status == 1)
        #expect(result.stdout.contains(message), "\(result.stdout)")
    }

    @Test("the rule checker finds dangling references and wrong reference targets")
    func checkerRejectsReferences() throws {
        let folder = TemporaryDirectory("fhir-ref")
        defer { folder.remove() }
        var bundle = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.expectedFile)) as? [String: Any])
        var entries = try #require(bundle["entry"] as? [[String: Any]])
        let patientIndex = try #require(entries.firstIndex { ($0["resource"] as? [String: Any])?["resourceType"] as? String == "Patient" })
        entries.remove(at: patientIndex)
        bundle["entry"] = entries
        let file = folder.path("dangling.json")
        try JSONSerialization.data(withJSONObject: bundle).write(to: file)
        let result = try Self.check([file])
        #expect(result.status == 1)
        #expect(result.stdout.contains("does not resolve inside the bundle"))
    }

    @Test("the handout and its Markdown say what was agreed, in plain words")
    func handoutContent() throws {
        let record = try #require(Projection.fold(ExportFixture.events()))
        let handout = Handout(record: record, on: LocalDate("2026-11-23")!, contact: "North Clinic nurse line, 555-0142")
        let markdown = HandoutMarkdown.render(handout)
        let html = HandoutHTML.render(handout)
        for text in ["Walk to the mailbox and back every day", "You decided to go ahead", "You have a prescription for naloxone",
                     "You keep the medicine locked and out of reach of others.", "We will look at this agreement again together by September 21, 2028.",
                     "on hold since November 20, 2026", "555-0142", "call 911"] {
            #expect(markdown.contains(text), "Markdown lacks: \(text)")
            #expect(html.contains(text), "HTML lacks: \(text)")
        }
        #expect(!markdown.contains("Cook dinner twice a week (") && markdown.contains("Goals you have reached"))
        #expect(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"), "the handout must stand alone")
        #expect(html.contains("@media print"))
        #expect(Self.fleschKincaidGrade(handout) <= 8.0, "the handout reads at grade \(Self.fleschKincaidGrade(handout))")
        let escaped = HandoutHTML.render(Handout(record: { var r = record; r.name = "<b>Ann & Bo</b>"; return r }(), on: LocalDate("2026-11-23")!, contact: nil))
        #expect(escaped.contains("&lt;b&gt;Ann &amp; Bo&lt;/b&gt;") && escaped.contains("Name and phone: ____"))
    }

    /// Flesch-Kincaid grade level of the handout's sentences (headings and the schedule table left out), with
    /// syllables counted as vowel groups; a rough but repeatable reading-level check.
    static func fleschKincaidGrade(_ handout: Handout) -> Double {
        var sentences = [handout.decisionLine, handout.naloxoneLine, handout.emergencyLine].compactMap { $0 }
        sentences += handout.goals.map(\.text) + handout.discussed
        if let agreement = handout.agreement { sentences += agreement.clauses + [agreement.agreedLine, agreement.renewalLine] }
        sentences += handout.tapers.flatMap { [$0.statusLine] + ($0.nextLine.map { [$0] } ?? []) }
        let words = sentences.flatMap { $0.split(whereSeparator: { !$0.isLetter && $0 != "'" }) }.filter { !$0.isEmpty }
        let sentenceCount = sentences.reduce(0) { count, text in count + max(1, text.filter { ".!?:;".contains($0) }.count) }
        let syllables = words.reduce(0) { total, word in
            let lower = word.lowercased()
            var groups = 0, previousVowel = false
            for character in lower {
                let vowel = "aeiouy".contains(character)
                if vowel && !previousVowel { groups += 1 }
                previousVowel = vowel
            }
            if lower.hasSuffix("e") && !lower.hasSuffix("le") && groups > 1 { groups -= 1 }
            return total + max(groups, 1)
        }
        return 0.39 * Double(words.count) / Double(sentenceCount) + 11.8 * Double(syllables) / Double(words.count) - 15.59
    }
}
