import AccordCore
import AccordStore
import Foundation
import Testing

/// The clinic day's commands end to end: real processes on a real store, their JSON, their messages and exit codes.
@Suite("A clinic day on the command line")
struct ClinicDayCommandTests {
    let folder = TemporaryDirectory("clinic-day")
    var home: URL { folder.path("home") }

    func accord(_ arguments: String...) throws -> ProcessResult { try Run.accord(arguments, store: home) }

    func json(_ result: ProcessResult) throws -> Any { try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) }

    func prepare() throws {
        #expect(try accord("init", "--site", "north", "--clinician", "Dr. Ana Reyes").status == 0)
        #expect(try accord("patient", "add", "--name", "Tom Taper", "--born", "1955-03-03", "--mrn", "T1").status == 0)
        #expect(try accord("meds", "--patient", "T1", "--med", "oxycodone 10 mg q6h").status == 0)
    }

    @Test("udt and pdmp record, flag, discuss; today lists it until discussed; every mistake exits 64 and writes nothing")
    func monitoring() throws {
        defer { folder.remove() }
        try prepare()
        let before = try EventStore.open(at: home).eventCount()
        for (arguments, message) in [
            (["udt", "record", "--patient", "T1", "--result", "odd"], "not a valid urine drug test result"),
            (["udt", "record", "--patient", "T1", "--result", "expected", "--on", "2099-01-01"], "after today"),
            (["udt", "record", "--patient", "T1", "--result", "expected", "--on", "1890-01-01"], "before 1900"),
            (["pdmp", "record", "--patient", "T1", "--findings", "concerning"], "Say what was concerning"),
            (["udt", "discuss", "--patient", "T1", "--note", "x"], "no unexpected urine drug test result"),
            (["udt", "record", "--patient", "nobody", "--result", "expected"], "nobody"),
            (["checkin", "--patient", "T1", "--peg", "5,5,5", "--next-visit", "2020-01-01"], "in the past"),
        ] {
            let result = try Run.accord(arguments, store: home)
            #expect(result.status == 64 && result.stderr.hasPrefix("Error: ") && result.stderr.contains(message), "\(arguments): \(result.status) \(result.stderr)")
        }
        #expect(try EventStore.open(at: home).eventCount() == before)

        let recorded = try accord("udt", "record", "--patient", "T1", "--result", "unexpected", "--detail", "fentanyl")
        #expect(recorded.status == 0 && recorded.stdout.contains("Talking points") && recorded.stdout.contains("accord udt discuss"))
        #expect(try accord("pdmp", "record", "--patient", "T1", "--findings", "none").status == 0)
        let items = try #require(try json(try accord("today", "--json")) as? [[String: Any]])
        #expect(items.contains { $0["key"] as? String == "drug-test-unexpected" && $0["group"] as? String == "results" })
        #expect(items.allSatisfy { Set($0.keys) == ["patient", "name", "group", "key", "title", "why", "since", "source", "isNew"] })
        #expect(!items.contains { $0["key"] as? String == "pdmp-overdue" })
        #expect(try accord("udt", "discuss", "--patient", "T1", "--note", "not taken; confirmatory test ordered").status == 0)
        let after = try #require(try json(try accord("today", "--json")) as? [[String: Any]])
        #expect(!after.contains { $0["key"] as? String == "drug-test-unexpected" })
        let show = try accord("patient", "show", "--patient", "T1")
        #expect(show.stdout.contains("unexpected (fentanyl); discussed") && show.stdout.contains("no concerning findings"))
        let timeline = try accord("timeline", "--patient", "T1")
        #expect(timeline.stdout.contains("Urine drug test on") && timeline.stdout.contains("Discussed entry"))
        #expect(try accord("today", "--days", "0").status == 64)
    }

    @Test("trend --json has stable keys; patient list and find say id; taper show --json always has pausedOn; taper show takes no --sign-as")
    func jsonShapes() throws {
        defer { folder.remove() }
        try prepare()
        #expect(try accord("checkin", "--patient", "T1", "--peg", "7,7,7", "--phq2", "1,1").status == 0)
        let series = try #require(try json(try accord("trend", "--patient", "T1", "--json")) as? [[String: Any]])
        #expect(series.map { $0["key"] as? String } == ["peg", "phq2", "mme"])
        #expect(series.allSatisfy { Set($0.keys) == ["key", "name", "title", "maximum", "threshold", "thresholdLabel", "points"] })
        #expect(series[0]["threshold"] is NSNull)
        let listed = try #require(try json(try accord("patient", "list", "--json")) as? [[String: Any]])
        #expect(listed.first?["id"] is String && listed.first?["patient"] == nil)
        let found = try #require(try json(try accord("patient", "find", "tom", "--json")) as? [[String: Any]])
        #expect(found.count == 1 && found[0]["name"] as? String == "Tom Taper")
        #expect(try accord("patient", "find", "nobody").stdout.contains("No patient matches"))
        #expect(try accord("taper", "plan", "--patient", "T1", "--med", "oxycodone 10 mg q6h", "--rate", "10", "--every", "4w", "--duration", "long-term").status == 0)
        let plans = try #require(try json(try accord("taper", "show", "--patient", "T1", "--json")) as? [[String: Any]])
        #expect(plans.first?["pausedOn"] is NSNull)
        #expect(!(try accord("taper", "show", "--help")).stdout.contains("--sign-as"))
        let show = try accord("patient", "show", "--patient", "T1")
        #expect(show.stdout.contains("entries;"))
    }

    @Test("a likely duplicate is refused without a terminal and registered with --confirm-duplicate")
    func duplicate() throws {
        defer { folder.remove() }
        try prepare()
        let refused = try accord("patient", "add", "--name", "TOM taper", "--born", "1955-03-03")
        #expect(refused.status == 64 && refused.stderr.contains("may be the same person") && refused.stderr.contains("--confirm-duplicate"))
        #expect(try accord("patient", "add", "--name", "Tom Taper", "--born", "1955-03-03", "--confirm-duplicate").status == 0)
        #expect(try accord("patient", "add", "--name", "Tim", "--born", "2099-01-01").stderr.contains("after today"))
    }
}
