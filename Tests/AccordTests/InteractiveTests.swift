import AccordCore
import AccordStore
import Foundation
import GRDB
import Testing

/// The guided flows in a real terminal (tmux): answers typed one by one, Ctrl-C and end of input half-way.
@Suite("Guided flows on a terminal", .enabled(if: TmuxSession.available, "tmux is needed: apt-get install tmux"))
struct InteractiveTests {
    let folder = TemporaryDirectory("tty")
    var home: URL { folder.path("home") }

    func prepare() throws {
        #expect(try Run.accord(["init", "--site", "north", "--clinician", "Dr. Ana Reyes"], store: home).status == 0)
        #expect(try Run.accord(["patient", "add", "--name", "Jane Doe", "--born", "1961-04-02", "--mrn", "777"], store: home).status == 0)
    }

    func session(_ arguments: String) throws -> TmuxSession {
        try TmuxSession("ACCORD_HOME='\(home.path)' '\(Paths.executable("accord").path)' \(arguments)")
    }

    func record() throws -> PatientRecord {
        let store = try EventStore.open(at: home)
        return try #require(try store.record(patient: store.resolvePatient("777").id))
    }

    func eventCount() throws -> Int { try EventStore.open(at: home).eventCount() }

    @Test("the mini-consent walks through every item with talking points and records only after the summary is confirmed")
    func fullConsent() throws {
        defer { folder.remove() }
        try prepare()
        let tty = try session("consent --patient 777")
        try tty.waitFor("Mini-consent for Jane Doe")
        for (index, item) in ConsentItem.all.enumerated() {
            try tty.waitFor("[\(index + 1)/\(ConsentItem.all.count)] \(item.title)")
            try tty.waitFor(item.talkingPoints[0])
            switch item.id {
            case "duration":
                try tty.type("maybe")  // not an answer: asked again
                try tty.waitFor("Type y, n or ?.")
                try tty.type("?")  // the talking points again
                try tty.waitFor(item.talkingPoints[0], count: 2)
                try tty.type("y")
            case "storage":
                try tty.type("n")
                try tty.waitFor("Why was it not discussed?")
                try tty.type("")  // a reason is required
                try tty.waitFor("An answer is needed here")
                try tty.type("ran out of time; next visit")
            default:
                try tty.type("y")
            }
        }
        try tty.waitFor("Naloxone status [offered/prescribed/declined/on-hand]:")
        try tty.type("on-hand")
        try tty.waitFor("The patient's questions")
        try tty.type("Will it affect my driving?")
        try tty.waitFor("The patient's decision [accepts/declines/deferred]:")
        try tty.type("accepts")
        try tty.waitFor("A note for the record")
        try tty.type("")
        let summary = try tty.waitFor("Record this mini-consent? [y/n]:")
        #expect(summary.contains("Not discussed: storage (ran out of time; next visit)"))
        #expect(summary.contains("Decision: accepts"))
        #expect(try eventCount() == 1, "nothing is written before the summary is confirmed")
        try tty.type("y")
        try tty.waitFor("EXIT=0")
        let consent = try #require(try record().consents.last)
        #expect(consent.naloxone == .onHand)
        #expect(consent.questions == "Will it affect my driving?")
        #expect(consent.items.first { $0.key == "storage" }?.reason == "ran out of time; next visit")
        #expect(consent.items.filter(\.discussed).count == 7)
    }

    @Test("Ctrl-C half-way through the consent writes nothing")
    func interrupted() throws {
        defer { folder.remove() }
        try prepare()
        let tty = try session("consent --patient 777")
        try tty.waitFor("[1/8]")
        try tty.type("y")
        try tty.waitFor("[2/8]")
        try tty.type("y")
        try tty.waitFor("[3/8]")
        try tty.press("C-c")
        let screen = try tty.waitFor("EXIT=130")
        #expect(screen.contains("Cancelled; nothing was written."))
        #expect(try eventCount() == 1)
    }

    @Test("end of input half-way through the consent writes nothing")
    func endOfInput() throws {
        defer { folder.remove() }
        try prepare()
        let tty = try session("consent --patient 777")
        try tty.waitFor("[1/8]")
        try tty.type("y")
        try tty.waitFor("[2/8]")
        try tty.press("C-d")
        let screen = try tty.waitFor("EXIT=1")
        #expect(screen.contains("nothing was written"))
        #expect(try eventCount() == 1)
    }

    @Test("answering no at the summary writes nothing")
    func declinedAtSummary() throws {
        defer { folder.remove() }
        try prepare()
        let tty = try session("consent --patient 777 --discussed all --naloxone offered --decision deferred --questions none --note none")
        try tty.waitFor("Record this mini-consent? [y/n]:")
        try tty.type("n")
        let screen = try tty.waitFor("EXIT=0")
        #expect(screen.contains("Nothing was written."))
        #expect(try eventCount() == 1)
    }

    @Test("the agreement's clauses can be edited before it is recorded")
    func agreementEditing() throws {
        defer { folder.remove() }
        try prepare()
        let tty = try session("agreement sign --patient 777")
        try tty.waitFor("Numbers to include or leave out")
        try tty.type("2,5")  // leave out one pharmacy and the PDMP clause
        try tty.waitFor("Numbers to include or leave out", count: 2)
        try tty.type("99")
        try tty.waitFor("Type clause numbers separated by commas")
        try tty.type("")
        try tty.waitFor("Renewal date [")
        try tty.type("")
        try tty.waitFor("How did the patient agree?")
        try tty.type("verbal")
        try tty.waitFor("Record this agreement? [y/n]:")
        try tty.type("y")
        try tty.waitFor("EXIT=0")
        let agreement = try #require(try record().agreements.last)
        #expect(agreement.clauses.count == AgreementClause.all.count - 2)
        #expect(!agreement.clauses.contains("one-pharmacy") && !agreement.clauses.contains("pdmp-checks"))
        #expect(agreement.method == .verbal)
        #expect(agreement.renewOn == agreement.effectiveOn.adding(years: 1))
    }
}

extension InteractiveTests {
    @Test("the guided check-in asks for each finding, re-asks out-of-range scores, and ! brings up coaching without losing answers")
    func checkinWithCoaching() throws {
        defer { folder.remove() }
        try prepare()
        #expect(try Run.accord(["goal", "add", "--patient", "777", "--text", "walk the dog"], store: home).status == 0)
        let tty = try session("checkin --patient 777")
        try tty.waitFor("PEG: pain on average")
        try tty.type("11,2,3")
        try tty.waitFor("each one of the scores its item allows")
        try tty.type("7,6,5")
        try tty.waitFor("PHQ-2")
        try tty.type("!")
        try tty.waitFor("\"This is the only thing that works for me.\"")
        try tty.waitFor("PHQ-2", count: 2)
        try tty.type("1,2")
        try tty.waitFor("COWS")
        try tty.type("")
        for _ in 0..<3 { try tty.type("") }  // dose, sleep, mood
        try tty.waitFor("Any concern about self-harm or suicide?")
        try tty.type("n")
        try tty.waitFor("Goal \"walk the dog\": progress")
        try tty.type("some")
        try tty.waitFor("Side effects:")
        try tty.type("constipation")
        try tty.waitFor("Withdrawal symptoms:")
        try tty.type("")
        try tty.waitFor("Naloxone on hand?")
        try tty.type("y")
        try tty.waitFor("PDMP checked at this visit?")
        try tty.type("y")
        try tty.waitFor("Urine drug test")
        try tty.type("")
        try tty.waitFor("Readiness to change")
        try tty.type("contemplation")
        try tty.waitFor("Next visit")
        try tty.type("2027-01-15")
        try tty.waitFor("A note for the record")
        try tty.type("")
        let summary = try tty.waitFor("Record this check-in? [y/n]:")
        #expect(summary.contains("PEG 6, PHQ-2 3, PDMP checked, next visit 2027-01-15"))
        try tty.type("y")
        try tty.waitFor("EXIT=0")
        let checkin = try #require(try record().checkins.last)
        #expect(checkin.recorded.peg == [7, 6, 5])
        #expect(checkin.phq2Positive == true)
        #expect(checkin.recorded.goals?.first?.progress == .some)
        #expect(checkin.recorded.readiness == .contemplation)
        #expect(checkin.recorded.naloxoneOnHand == true && checkin.recorded.pdmpChecked == true)
        #expect(checkin.recorded.selfHarmConcern == false)
    }

    @Test("the taper plan is shown and recorded only when confirmed; ! shows taper coaching")
    func taperConfirm() throws {
        defer { folder.remove() }
        try prepare()
        let tty = try session("taper plan --patient 777 --med 'oxycodone 10 mg q6h' --rate 10 --every 4w --duration long-term")
        try tty.waitFor("Record this taper plan? [y/n]:")
        try tty.type("!")
        try tty.waitFor("\"If you stop my meds I'll just get them somewhere else.\"")
        try tty.waitFor("Record this taper plan? [y/n]:", count: 2)
        try tty.type("n")
        try tty.waitFor("EXIT=0")
        #expect(try record().taperPlans.isEmpty)
    }
}
