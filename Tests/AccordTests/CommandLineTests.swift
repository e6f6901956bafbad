import AccordCore
import AccordStore
import Foundation
import GRDB
import Testing

/// End-to-end tests of the built `accord` binary: output, exit codes, and that failures write nothing.
@Suite("accord command line")
struct CommandLineTests {
    let folder = TemporaryDirectory("cli")
    var home: URL { folder.path("home") }

    func accord(_ arguments: String..., input: String? = nil) throws -> ProcessResult {
        try Run.accord(arguments, store: home, input: input)
    }

    func json(_ result: ProcessResult) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    func eventCount() throws -> Int {
        try DatabaseQueue(path: home.appendingPathComponent(EventStore.databaseFileName).path)
            .read { try Int.fetchOne($0, sql: "SELECT count(*) FROM events") ?? 0 }
    }

    func initialized() throws -> String {
        _ = try json(try accord("init", "--site", "north-clinic", "--clinician", "Dr. Ana Reyes", "--json"))
        let added = try json(try accord("patient", "add", "--name", "Jane Doe", "--born", "1961-04-02", "--mrn", "12345", "--json"))
        return try #require(added["id"] as? String)
    }

    @Test("a whole encounter from the command line, printed as text and JSON, every event valid against its schema")
    func encounter() throws {
        defer { folder.remove() }
        let patient = try initialized()
        let consent = try json(try accord("consent", "--patient", "12345", "--discussed", "benefit,duration,side-effects,serious-risks,combinations,naloxone,alternatives",
                                          "--not-discussed", "storage:patient had to leave; next visit", "--decision", "accepts", "--naloxone", "prescribed",
                                          "--questions", "Can I drive?", "--json"))
        #expect(consent["type"] as? String == "consent.recorded")
        let goal = try json(try accord("goal", "add", "--patient", String(patient.prefix(8)), "--text", "walk to the mailbox", "--json"))
        #expect(try accord("goal", "review", "--patient", "12345", "--goal", "1", "--progress", "some", "--note", "halfway").status == 0)
        #expect(try accord("goal", "revise", "--patient", "12345", "--goal", String((goal["goal"] as! String).prefix(6)), "--text", "walk to the corner and back").status == 0)
        let agreement = try json(try accord("agreement", "sign", "--patient", "12345", "--clauses", "default", "--renew-on", "2027-06-01", "--agreed", "paper", "--json"))
        #expect(agreement["agreement"] is String)
        #expect(try accord("agreement", "amend", "--patient", "12345", "--clauses", "one-prescriber,one-pharmacy", "--reason", "simplified").status == 0)
        #expect(try accord("agreement", "renew", "--patient", "12345", "--renew-on", "2028-06-01").status == 0)
        #expect(try accord("checkin", "--patient", "12345", "--peg", "7,6,5", "--phq2", "1,2", "--cows", "1,0,1,2,1,0,0,1,1,0,3", "--pdmp-checked", "yes", "--next-visit", "2026-12-20").status == 0)
        #expect(try accord("meds", "--patient", "12345", "--med", "oxycodone 10 mg q6h", "--med", "gabapentin 300 mg tid").status == 0)
        let note = try json(try accord("note", "--patient", "12345", "--text", "Discussed sleep hygiene", "--json"))
        #expect(try accord("correct", "--patient", "12345", "--event", String((note["event"] as! String).prefix(10)), "--reason", "wrong topic", "--set", "text=Discussed pacing").status == 0)
        #expect(try accord("goal", "met", "--patient", "12345", "--goal", "1").status == 0)

        let record = try json(try accord("patient", "show", "--patient", "12345", "--json"))
        for key in ["id", "name", "born", "mrn", "registered", "goals", "consents", "agreements", "taperPlans", "checkins", "medications", "notes", "corrections", "conflicts", "eventCount"] {
            #expect(record[key] != nil, "patient show --json lacks \(key)")
        }
        #expect(record["eventCount"] as? Int == 13)
        let goals = try #require(record["goals"] as? [[String: Any]])
        #expect(goals.first?["status"] as? String == "met")
        #expect(goals.first?["description"] as? String == "walk to the corner and back")
        let agreements = try #require(record["agreements"] as? [[String: Any]])
        #expect(agreements.first?["clauses"] as? [String] == ["one-prescriber", "one-pharmacy"])
        #expect(agreements.first?["renewOn"] as? String == "2028-06-01")
        let notes = try #require(record["notes"] as? [[String: Any]])
        #expect(notes.first?["text"] as? String == "Discussed pacing")
        let checkins = try #require(record["checkins"] as? [[String: Any]])
        #expect(checkins.first?["pegScore"] as? Double == 6)
        #expect(checkins.first?["phq2Positive"] as? Bool == true)
        #expect(checkins.first?["cowsTotal"] as? Int == 10)

        let text = try accord("patient", "show", "--patient", "12345")
        #expect(text.stdout.contains("Jane Doe  born 1961-04-02  MRN 12345"))
        #expect(text.stdout.contains("7/8 items discussed, naloxone prescribed, patient accepts"))
        #expect(text.stdout.contains("not discussed: storage (patient had to leave; next visit)"))

        let timeline = try accord("timeline", "--patient", "12345")
        #expect(timeline.stdout.contains("Note: Discussed sleep hygiene  [corrected]"))
        let list = try accord("patient", "list", "--json")
        #expect(list.stdout.contains("\"mrn\" : \"12345\""))

        let store = try EventStore.open(at: home)
        try SchemaValidator.expectValid(try store.events(patient: patient).map(\.bytes))
    }

    @Test("a command that only reads leaves the store's files as they were: no set-up write, nothing for the close to copy back")
    func readsWriteNothing() throws {
        defer { folder.remove() }
        _ = try initialized()
        let database = home.appendingPathComponent(EventStore.databaseFileName)
        func files() throws -> [Data] { try ["", "-wal"].map { try Data(contentsOf: URL(fileURLWithPath: database.path + $0)) } }
        let before = try files()
        #expect(try accord("patient", "list").status == 0)
        #expect(try accord("patient", "show", "--patient", "12345", "--json").status == 0)
        #expect(try accord("today").status == 0)
        #expect(try files() == before, "the database file and its WAL are byte for byte the same after three reads")
        #expect(try accord("note", "--patient", "12345", "--text", "a write still lands").status == 0)
        #expect(try files() != before)
        #expect(try accord("patient", "show", "--patient", "12345").stdout.contains("a write still lands"))
    }

    @Test("a goal id prefix made only of decimal digits is read as a prefix, not as a goal number")
    func numericGoalPrefix() throws {
        defer { folder.remove() }
        _ = try initialized()
        // Add goals until one's id starts with six decimal digits (about 1 in 17 ids do).
        var found: String?
        for _ in 0..<400 where found == nil {
            let goal = try json(try accord("goal", "add", "--patient", "12345", "--text", "walk", "--json"))["goal"] as? String ?? ""
            if goal.prefix(6).allSatisfy(\.isNumber) { found = goal }
        }
        let goal = try #require(found)
        let revised = try accord("goal", "revise", "--patient", "12345", "--goal", String(goal.prefix(6)), "--text", "walk further")
        #expect(revised.status == 0, "\(revised.stderr)")
        let goals = try #require(try json(try accord("patient", "show", "--patient", "12345", "--json"))["goals"] as? [[String: Any]])
        #expect(goals.first { $0["id"] as? String == goal }?["description"] as? String == "walk further")
    }

    @Test("a second init reports what exists and changes nothing")
    func secondInit() throws {
        defer { folder.remove() }
        _ = try initialized()
        let key = try Data(contentsOf: home.appendingPathComponent("clinician.key"))
        let again = try accord("init", "--site", "north-clinic", "--clinician", "Dr. Ana Reyes")
        #expect(again.status == 0)
        #expect(again.stdout.contains("already exists") && again.stdout.contains("nothing was changed"))
        let other = try accord("init", "--site", "south", "--clinician", "Dr. Other")
        #expect(other.status != 0)
        #expect(other.stderr.contains("already exists") && other.stderr.contains("for site 'north-clinic'"))
        #expect(try Data(contentsOf: home.appendingPathComponent("clinician.key")) == key)
        #expect(try eventCount() == 1)
        let attributes = try FileManager.default.attributesOfItem(atPath: home.appendingPathComponent("clinician.key").path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test("bad input gets one clear line, a non-zero exit and nothing written", arguments: [
        (["patient", "add", "--name", "X", "--born", "1961-02-30"], "is not a valid date"),
        (["patient", "add", "--name", "X", "--born", "1961-04-02", "--mrn", "12345"], "already registered"),
        (["patient", "add", "--name", "  ", "--born", "1961-04-02"], "name is empty"),
        (["patient", "show", "--patient", "99999"], "No patient has id, id prefix or MRN '99999'"),
        (["goal", "add", "--patient", "nobody", "--text", "walk"], "No patient"),
        (["goal", "review", "--patient", "12345", "--goal", "3", "--progress", "some"], "not one of their numbers"),
        (["goal", "review", "--patient", "12345", "--goal", "1", "--progress", "lots"], "'lots' is not a valid progress"),
        (["checkin", "--patient", "12345", "--peg", "11,2,3"], "PEG takes 3 scores from 0 to 10"),
        (["checkin", "--patient", "12345", "--phq2", "1"], "PHQ-2 takes 2 scores"),
        (["checkin", "--patient", "12345", "--cows", "9,0,0,0,0,0,0,0,0,0,0"], "COWS item 1 (resting pulse rate) is scored 0, 1, 2, 4"),
        (["checkin", "--patient", "12345", "--peg", "a,b,c"], "whole numbers"),
        (["checkin", "--patient", "12345"], "needs at least one finding"),
        (["consent", "--patient", "12345", "--discussed", "all", "--naloxone", "offered"], "decision is required"),
        (["consent", "--patient", "12345", "--discussed", "all", "--decision", "accepts"], "naloxone status is required"),
        (["consent", "--patient", "12345", "--discussed", "benefit", "--decision", "accepts", "--naloxone", "offered"], "missing: duration"),
        (["consent", "--patient", "12345", "--discussed", "telepathy", "--decision", "accepts", "--naloxone", "offered"], "'telepathy' is not a mini-consent item"),
        (["consent", "--patient", "12345", "--discussed", "all", "--not-discussed", "storage", "--decision", "accepts", "--naloxone", "offered"], "KEY:REASON"),
        (["consent", "--patient", "12345", "--discussed", "all", "--decision", "maybe", "--naloxone", "offered"], "'maybe' is not a valid decision"),
        (["agreement", "sign", "--patient", "12345", "--clauses", "one-prescriber,free-refills"], "'free-refills' is not an agreement clause"),
        (["agreement", "sign", "--patient", "12345", "--renew-on", "2001-01-01"], "must be after the agreement starts"),
        (["agreement", "amend", "--patient", "12345", "--clauses", "default", "--reason", "x"], "no active treatment agreement"),
        (["meds", "--patient", "12345"], "--med"),
        (["correct", "--patient", "12345", "--event", "zz", "--reason", "x", "--entered-in-error"], "is not an event id"),
        (["correct", "--patient", "12345", "--event", "abcdef", "--reason", "x", "--entered-in-error"], "no event whose id starts with"),
        (["init", "--site", "Bad Site", "--clinician", "X"], "already exists"),
    ] as [([String], String)])
    func badInput(arguments: [String], message: String) throws {
        defer { folder.remove() }
        _ = try initialized()
        let before = try eventCount()
        let result = try Run.accord(arguments, store: home)
        #expect(result.status != 0, "exit 0 for \(arguments)")
        #expect(result.stderr.contains(message), "stderr was: \(result.stderr)")
        #expect(result.stdout.isEmpty || !result.stdout.contains("Recorded"))
        #expect(try eventCount() == before)
    }

    @Test("an invalid site name is refused before anything is created")
    func invalidSiteName() throws {
        defer { folder.remove() }
        let result = try accord("init", "--site", "North Clinic", "--clinician", "Dr. A")
        #expect(result.status != 0)
        #expect(result.stderr.contains("lowercase letters"))
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent(EventStore.databaseFileName).path))
    }

    @Test("a command before init says how to create the store")
    func notInitialized() throws {
        defer { folder.remove() }
        let result = try accord("patient", "list")
        #expect(result.status != 0)
        #expect(result.stderr.contains("accord init --site NAME --clinician NAME"))
    }

    @Test("a damaged store file is reported, and nothing is written")
    func damagedStore() throws {
        defer { folder.remove() }
        _ = try initialized()
        let url = home.appendingPathComponent(EventStore.databaseFileName)
        var bytes = try Data(contentsOf: url)
        bytes.replaceSubrange(0..<16, with: Data(repeating: 0x41, count: 16))  // smash the SQLite header
        try bytes.write(to: url)
        // The WAL may still hold good copies of the pages; a damaged copy of a store comes without it.
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: url.path + suffix) }
        let result = try accord("note", "--patient", "12345", "--text", "x")
        #expect(result.status != 0)
        #expect(result.stderr.contains("is damaged"))
    }

    @Test("a store locked by another program reports busy")
    func lockedStore() throws {
        defer { folder.remove() }
        _ = try initialized()
        let blocker = try DatabaseQueue(path: home.appendingPathComponent(EventStore.databaseFileName).path)
        try blocker.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            let result = try accord("note", "--patient", "12345", "--text", "x")
            #expect(result.status != 0)
            #expect(result.stderr.contains("locked by another program"))
            try db.execute(sql: "ROLLBACK")
        }
        #expect(try eventCount() == 1)
    }

    @Test("a store the user may not write to is reported, and nothing is written")
    func readOnlyStore() throws {
        defer { folder.remove() }
        _ = try initialized()
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") else { return }
        // Root can write anywhere, so run the command as `nobody` against a store it may read but not write.
        chmod(folder.url.path, 0o755); chmod(home.path, 0o755)
        for file in try FileManager.default.contentsOfDirectory(atPath: home.path) {
            chmod(home.appendingPathComponent(file).path, 0o644)
        }
        let result = try Run.process(URL(fileURLWithPath: "/usr/sbin/runuser"),
                                     ["-u", "nobody", "--", Paths.executable("accord").path, "note", "--store", home.path, "--patient", "12345", "--text", "x"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("read-only") || result.stderr.contains("cannot be opened"), "\(result.stderr)")
        #expect(try eventCount() == 1)
    }

    @Test("a store from a newer Accord is refused with advice to update")
    func newerStore() throws {
        defer { folder.remove() }
        _ = try initialized()
        try DatabaseQueue(path: home.appendingPathComponent(EventStore.databaseFileName).path).write {
            try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999_future')")
        }
        let result = try accord("patient", "list")
        #expect(result.status != 0)
        #expect(result.stderr.contains("newer version of Accord"))
    }

    @Test("sync with no server set, a bad address, or a server that does not answer: a clear message, non-zero, nothing lost")
    func syncFailures() throws {
        defer { folder.remove() }
        _ = try initialized()
        let unset = try accord("sync")
        #expect(unset.status != 0 && unset.stderr.contains("accord remote add URL --credential C"))
        let badURL = try accord("remote", "add", "ftp://example", "--credential", "x")
        #expect(badURL.status != 0 && badURL.stderr.contains("is not an http or https address"))
        #expect(try accord("remote", "add", "http://127.0.0.1:1", "--credential", "acs_test").status == 0)
        let down = try accord("sync")
        #expect(down.status != 0)
        #expect(down.stderr.contains("could not be reached") && down.stderr.contains("Nothing was lost"), "\(down.stderr)")
        #expect(try EventStore.open(at: home).syncState.outboxCount() == 1)
    }

    @Test("--help lists every command and consent --help lists the item keys")
    func help() throws {
        defer { folder.remove() }
        let help = try accord("--help")
        #expect(help.status == 0)
        for command in ["init", "patient", "goal", "consent", "agreement", "checkin", "meds", "note", "correct", "timeline"] {
            #expect(help.stdout.contains("  \(command)"), "--help lacks \(command)")
        }
        let consent = try accord("consent", "--help")
        #expect(ConsentItem.all.allSatisfy { consent.stdout.contains($0.id) })
    }
}
