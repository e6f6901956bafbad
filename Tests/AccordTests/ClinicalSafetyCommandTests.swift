import AccordCore
import AccordStore
import Foundation
import Testing

/// Clinical safety end to end: what the clinician types, what Accord refuses, and what it records.
@Suite("Clinical safety on the command line")
struct ClinicalSafetyCommandTests {
    let folder = TemporaryDirectory("safety")
    var home: URL { folder.path("home") }

    func accord(_ arguments: String...) throws -> ProcessResult { try Run.accord(arguments, store: home) }

    func prepare(timeZone: String = "America/Denver") throws {
        #expect(try accord("init", "--site", "north", "--clinician", "Dr. Ana Reyes", "--time-zone", timeZone).status == 0)
        #expect(try accord("patient", "add", "--name", "Sam Safety", "--born", "1975-03-03", "--mrn", "S1").status == 0)
    }

    func events() throws -> Int { try EventStore.open(at: home).eventCount() }

    @Test("accord mme shows an incomplete total in text and JSON; refuses unknown names with suggestions, zero and unusual doses")
    func mme() throws {
        defer { folder.remove() }
        let incomplete = try accord("mme", "--med", "oxycodone 10 mg q6h", "--med", "meperidine 50 mg q4h", "--med", "alprazolam 1 mg bid")
        #expect(incomplete.status == 0)
        #expect(incomplete.stdout.contains("Total: INCOMPLETE, at least 60 MME/day"))
        #expect(incomplete.stdout.contains("Opioid with alprazolam"))
        let json = try accord("mme", "--med", "levorphanol 2 mg q6h", "--json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["complete"] as? Bool == false)
        #expect((object["incomplete"] as? [String])?.count == 1)
        let unknown = try accord("mme", "--med", "oxycodon 10 mg q6h")
        #expect(unknown.status != 0 && unknown.stderr.contains("did you mean oxycodone?"))
        #expect(try accord("mme", "--med", "oxycodone 0 mg q6h").stderr.contains("a dose of 0"))
        let unusual = try accord("mme", "--med", "oxycodone 1000 mg q1h")
        #expect(unusual.status != 0 && unusual.stderr.contains("--confirm-dose"))
        let confirmed = try accord("mme", "--med", "oxycodone 1000 mg q1h", "--confirm-dose")
        #expect(confirmed.status == 0 && confirmed.stdout.contains("36000 MME/day"))
        let reversed = try accord("mme", "--med", "acetaminophen/oxycodone 325/7.5 mg 1 tab q4h")
        #expect(reversed.stdout.contains("67.5 MME/day"))
    }

    @Test("accord meds records nothing unless every line reads, and shows the total it recorded")
    func meds() throws {
        defer { folder.remove() }
        try prepare()
        let before = try events()
        let refused = try accord("meds", "--patient", "S1", "--med", "oxycodone 10 mg q6h", "--med", "hydrocodone-acetaminofen 10-325 mg q6h")
        #expect(refused.status != 0 && refused.stderr.contains("did you mean acetaminophen?"))
        #expect(try accord("meds", "--patient", "S1", "--med", "fentanyl 100 mcg/hr 3 patches").status != 0)
        #expect(try events() == before)
        let recorded = try accord("meds", "--patient", "S1", "--med", "methadone 80 mg daily for OUD", "--med", "other: lisinopril 10 mg daily", "--med", "lorazepam 1 mg bid")
        #expect(recorded.status == 0, "\(recorded.stderr)")
        #expect(recorded.stdout.contains("Treatment for opioid use disorder"))
        #expect(recorded.stdout.contains("QTc"))
        let flags = try accord("flags", "--patient", "S1", "--json")
        let keys = (try JSONSerialization.jsonObject(with: Data(flags.stdout.utf8)) as? [[String: Any]])?.compactMap { $0["key"] as? String } ?? []
        #expect(keys.contains("oud-treatment") && keys.contains("methadone-caution") && keys.contains("cns-depressant") && keys.contains("naloxone-not-on-hand"))
        #expect(!keys.contains("mme-50"))
    }

    @Test("risk factors are recorded, shown and drive the naloxone flag; bad input writes nothing")
    func risk() throws {
        defer { folder.remove() }
        try prepare()
        #expect(try accord("meds", "--patient", "S1", "--med", "tramadol 50 mg bid").status == 0)
        #expect(try !accord("flags", "--patient", "S1").stdout.contains("Naloxone indicated"))
        let recorded = try accord("risk", "--patient", "S1", "--present", "sleep-disordered-breathing", "--absent", "overdose-history", "--on-opioids-since", "2019-05-01")
        #expect(recorded.status == 0, "\(recorded.stderr)")
        let flags = try accord("flags", "--patient", "S1")
        #expect(flags.stdout.contains("Naloxone indicated but not on hand") && flags.stdout.contains("sleep-disordered breathing"))
        #expect(flags.stdout.contains("recommendation 8"))
        let shown = try accord("risk", "--patient", "S1")
        #expect(shown.stdout.contains("sleep-disordered-breathing  present"))
        #expect(shown.stdout.contains("overdose-history            absent"))
        #expect(shown.stdout.contains("2019-05-01"))
        let before = try events()
        #expect(try accord("risk", "--patient", "S1", "--present", "overdose-history", "--absent", "overdose-history").stderr.contains("both present and absent"))
        #expect(try accord("risk", "--patient", "S1", "--present", "bad-luck").stderr.contains("not a valid risk factor"))
        #expect(try accord("risk", "--patient", "S1", "--on-opioids-since", "2099-01-01").stderr.contains("after today"))
        #expect(try events() == before)
        #expect(try accord("patient", "show", "--patient", "S1").stdout.contains("Overdose risk factors: sleep-disordered-breathing; on opioids since 2019-05-01"))
    }

    @Test("a taper's pace follows the recorded start of opioids; a faster pace needs a reason; a worrying check-in is flagged at once")
    func taper() throws {
        defer { folder.remove() }
        try prepare()
        #expect(try accord("meds", "--patient", "S1", "--med", "oxycodone 10 mg q6h").status == 0)
        let unknown = try accord("taper", "plan", "--patient", "S1", "--med", "oxycodone 10 mg q6h", "--rate", "10", "--every", "1w", "--start", "2027-01-04")
        #expect(unknown.status != 0, "10% a week is faster than the long-term pace assumed when the history is unknown")
        #expect(unknown.stdout.contains("not recorded, so the slower long-term pace is used"))
        #expect(unknown.stderr.contains("--faster-reason") && unknown.stderr.contains("nothing was written"))
        let recent = try accord("taper", "plan", "--patient", "S1", "--med", "oxycodone 10 mg q6h", "--rate", "10", "--every", "1w", "--start", "2027-01-04", "--on-opioids-since", "2026-11-01")
        #expect(recent.status == 0, "\(recent.stderr)")
        #expect(recent.stdout.contains("weeks-to-months use (on opioids since 2026-11-01)"))
        #expect(try accord("checkin", "--patient", "S1", "--peg", "5,5,5").stdout.contains("consider a pause") == false)
        let worrying = try accord("checkin", "--patient", "S1", "--phq2", "3,3", "--self-harm-concern", "yes")
        #expect(worrying.status == 0)
        #expect(worrying.stdout.contains("consider a pause") && worrying.stdout.contains("suicide risk"))
        #expect(worrying.stdout.contains("HHS 2019"))
    }

    @Test("taper plan with a pace faster than the guide is recorded with the clinician's reason")
    func fasterWithReason() throws {
        defer { folder.remove() }
        try prepare()
        let plan = try accord("taper", "plan", "--patient", "S1", "--med", "oxycodone 10 mg q6h", "--rate", "25", "--every", "1w", "--duration", "long-term",
                              "--faster-reason", "signs of impending overdose")
        #expect(plan.status == 0, "\(plan.stderr)")
        let shown = try accord("taper", "show", "--patient", "S1", "--json")
        #expect(shown.stdout.contains("Faster than the tapering guide: signs of impending overdose"))
    }

    @Test("the clinic's time zone is set at init, kept in the store, and refused when unknown")
    func timeZone() throws {
        defer { folder.remove() }
        let bad = try accord("init", "--site", "north", "--clinician", "Dr. Ana Reyes", "--time-zone", "Mars/Olympus")
        #expect(bad.status != 0 && bad.stderr.contains("not a time zone"))
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent(EventStore.databaseFileName).path))
        let made = try accord("init", "--site", "north", "--clinician", "Dr. Ana Reyes", "--time-zone", "Pacific/Auckland", "--json")
        #expect(made.stdout.contains(#""timeZone" : "Pacific\/Auckland""#) || made.stdout.contains(#""timeZone" : "Pacific/Auckland""#))
        #expect(try EventStore.open(at: home).timeZoneIdentifier() == "Pacific/Auckland")
        let again = try accord("init", "--site", "north", "--clinician", "Dr. Ana Reyes", "--time-zone", "Europe/London")
        #expect(again.status != 0 && again.stderr.contains("Its time zone is Pacific/Auckland"))
        let auckland = try #require(ClinicCalendar(identifier: "Pacific/Auckland"))
        #expect(try accord("patient", "add", "--name", "Kiri", "--born", "1980-01-01", "--mrn", "K1").status == 0)
        #expect(try accord("meds", "--patient", "K1", "--med", "tramadol 50 mg bid").status == 0)
        let flags = try accord("flags", "--patient", "K1")
        #expect(flags.stdout.contains("Flags for Kiri on \(auckland.today())"), "\(flags.stdout)")
    }
}
