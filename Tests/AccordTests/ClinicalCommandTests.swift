import AccordCore
import AccordStore
import Foundation
import Testing

/// The clinical-rule commands end to end: mme, flags, taper, coach, and what patient show adds.
@Suite("Clinical rules on the command line")
struct ClinicalCommandTests {
    let folder = TemporaryDirectory("rules")
    var home: URL { folder.path("home") }

    func accord(_ arguments: String...) throws -> ProcessResult { try Run.accord(arguments, store: home) }

    func prepare() throws {
        #expect(try accord("init", "--site", "north", "--clinician", "Dr. Ana Reyes").status == 0)
        #expect(try accord("patient", "add", "--name", "Tom Taper", "--born", "1955-03-03", "--mrn", "T1").status == 0)
    }

    @Test("accord mme --json has the documented keys, with null where a value does not apply")
    func mmeJSON() throws {
        defer { folder.remove() }
        let result = try accord("mme", "--med", "oxycodone 10 mg q6h", "--med", "fentanyl 25 mcg/hr patch q72h", "--med", "buprenorphine 8 mg daily", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["totalMME"] as? Double == 120)
        let items = try #require(json["items"] as? [[String: Any]])
        for key in ["input", "ingredient", "dailyDose", "unit", "factor", "mme", "note"] {
            #expect(items.allSatisfy { $0.keys.contains(key) }, "an item lacks \(key)")
        }
        #expect(items[2]["mme"] is NSNull)
        #expect((json["flags"] as? [[String: Any]])?.first?["key"] as? String == "mme-50")
    }

    @Test("accord mme names the part it cannot read and exits non-zero")
    func mmeUnreadable() throws {
        defer { folder.remove() }
        let result = try accord("mme", "--med", "oxycodone 10 mg q6h", "--med", "hydrocodone five mg q4h")
        #expect(result.status != 0)
        #expect(result.stderr.contains("'five mg'"))
        #expect(result.stdout.isEmpty)
    }

    @Test("a taper is planned from flags without a terminal, shown from the log, paused and resumed")
    func taperFromFlags() throws {
        defer { folder.remove() }
        try prepare()
        let plan = try accord("taper", "plan", "--patient", "T1", "--med", "oxycodone 10 mg q6h", "--rate", "10", "--every", "4w", "--start", "2027-01-04", "--duration", "long-term")
        #expect(plan.status == 0, "\(plan.stderr)")
        // 40 → 35 mg cuts 12.5%, more than the planned 10%: the first step waits 35 days from when 40 mg began.
        #expect(plan.stdout.contains("2027-01-11  35 mg"), "\(plan.stdout)")
        #expect(plan.stdout.contains("Recorded the taper plan"))
        let again = try accord("taper", "plan", "--patient", "T1", "--med", "oxycodone 10 mg q6h", "--rate", "10", "--every", "4w")
        #expect(again.status != 0 && again.stderr.contains("already has a taper in progress"))
        #expect(try accord("taper", "pause", "--patient", "T1", "--on", "2027-02-10", "--reason", "insomnia and sweating").status == 0)
        let paused = try accord("taper", "show", "--patient", "T1")
        #expect(paused.stdout.contains("[paused since 2027-02-10]"))
        #expect(paused.stdout.contains("(moves when the pause ends)"))
        #expect(try accord("taper", "resume", "--patient", "T1", "--on", "2027-02-24").status == 0)
        let resumed = try accord("taper", "show", "--patient", "T1", "--json")
        let plans = try #require(try JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8)) as? [[String: Any]])
        #expect(plans.first?["status"] as? String == "active")
        let up = try accord("taper", "adjust", "--patient", "T1", "--rate", "5", "--every", "1m", "--from", "2027-03-01", "--dose", "40", "--reason", "pain flare after fall, reassessed")
        #expect(up.status == 0)
        #expect(up.stdout.contains("Going back up from 35 to 40 mg/day; the reason is recorded"), "\(up.stdout)")
        #expect(try accord("taper", "complete", "--patient", "T1").status == 0)
        #expect(try accord("taper", "pause", "--patient", "T1", "--reason", "x").status != 0)
    }

    @Test("taper input errors say what is wrong", arguments: [
        (["taper", "plan", "--patient", "T1", "--med", "oxycodone 10 mg q6h", "--rate", "10", "--every", "fortnightly"], "not an interval"),
        (["taper", "plan", "--patient", "T1", "--med", "oxycodone 10 mg q6h", "--rate", "90", "--every", "1w"], "not a taper rate"),
        (["taper", "plan", "--patient", "T1", "--med", "buprenorphine 8 mg daily", "--rate", "10", "--every", "1w"], "Accord can taper"),
        (["taper", "plan", "--patient", "T1", "--med", "oxycodone lots", "--rate", "10", "--every", "1w"], "'lots'"),
        (["taper", "pause", "--patient", "T1", "--reason", "x"], "no taper in progress"),
        (["flags", "--patient", "T1", "--pdmp-days", "0"], "--pdmp-days must be 1 to 3650"),
        (["coach", "telepathy"], "not a coaching situation"),
        (["checkin", "--patient", "T1", "--goal", "1:some"], "has 0 goal(s)"),
    ] as [([String], String)])
    func errors(arguments: [String], message: String) throws {
        defer { folder.remove() }
        try prepare()
        let before = try EventStore.open(at: home).eventCount()
        let result = try Run.accord(arguments, store: home)
        #expect(result.status != 0)
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(try EventStore.open(at: home).eventCount() == before)
    }

    @Test("patient show carries MME, flags with sources, and trends; flags --json matches")
    func showAndFlags() throws {
        defer { folder.remove() }
        try prepare()
        #expect(try accord("meds", "--patient", "T1", "--med", "oxycodone 10 mg q6h", "--med", "diazepam 5 mg bid").status == 0)
        #expect(try accord("checkin", "--patient", "T1", "--peg", "8,7,7").status == 0)
        #expect(try accord("checkin", "--patient", "T1", "--peg", "5,4,4", "--pdmp-checked", "yes", "--urine-test", "expected").status == 0)
        let show = try accord("patient", "show", "--patient", "T1")
        #expect(show.stdout.contains("Total: 60 MME/day"))
        #expect(show.stdout.contains("! Opioid with diazepam"))
        // Both check-ins fell on one day: one column of the chart, the values of both in the line.
        #expect(show.stdout.contains("PEG      ▄  7.3 on ") && show.stdout.contains("→ 4.3 on ") && show.stdout.contains(", 2 point(s)"), "\(show.stdout)")
        let flags = try accord("flags", "--patient", "T1", "--json")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(flags.stdout.utf8)) as? [[String: Any]])
        #expect(list.map { $0["key"] as? String } == ["mme-50", "cns-depressant", "naloxone-not-on-hand"])
        #expect(list.allSatisfy { ($0["source"] as? String)?.isEmpty == false && $0["why"] != nil })
        let json = try accord("patient", "show", "--patient", "T1", "--json")
        #expect(json.stdout.contains("\"totalMME\" : 60"))
    }

    @Test("coach lists every situation; each has two to four responses and a source")
    func coach() throws {
        defer { folder.remove() }
        let list = try accord("coach")
        #expect(list.status == 0)
        #expect(CoachingSituation.all.allSatisfy { list.stdout.contains($0.id) })
        #expect(CoachingSituation.all.allSatisfy { (2...4).contains($0.responses.count) })
        #expect(CoachingSituation.all.allSatisfy { $0.responses.allSatisfy { list.stdout.contains($0.text) == false } }, "the list shows situations, not their responses")
        let crisis = try accord("coach", "crisis")
        #expect(crisis.stdout.contains("clinic's protocol"))
        #expect(crisis.stdout.contains("life-threatening"), "the guideline's exception for a life-threatening situation")
        #expect(crisis.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("  - ") }.allSatisfy { $0.hasSuffix("]") }, "every talking point names its source")
    }

    @Test("coach shows the four S, tailored to the readiness stage given or recorded at the latest check-in")
    func fourS() throws {
        defer { folder.remove() }
        let general = try accord("coach")
        for part in FourS.allCases { #expect(general.stdout.contains(part.title)) }
        let stages = ReadinessStage.allCases.map { stage in (try? accord("coach", "--readiness", stage.rawValue).stdout) ?? "" }
        #expect(Set(stages).count == ReadinessStage.allCases.count, "each stage tailors the points")
        #expect(stages[0].contains("May I tell you what worries me?"))
        try prepare()
        #expect(try accord("checkin", "--patient", "T1", "--readiness", "preparation").status == 0)
        let tailored = try accord("coach", "--patient", "T1", "--json")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(tailored.stdout.utf8)) as? [String: Any])
        #expect(json["readiness"] as? String == "preparation")
        let parts = try #require(json["fourS"] as? [[String: Any]])
        #expect(parts.map { $0["key"] as? String } == ["setting-expectations", "safety", "standardization", "support"])
        #expect(parts.allSatisfy { (($0["points"] as? [[String: Any]]) ?? []).allSatisfy { ($0["source"] as? String)?.isEmpty == false } })
    }
}
