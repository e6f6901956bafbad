import AccordCore
import AccordStore
import Foundation
import GRDB
import Testing

@Suite("Event store on SQLite")
struct EventStoreTests {
    func makeStore(clock: ManualClock = ManualClock(1_790_000_000_000)) throws -> (EventStore, TemporaryDirectory) {
        let folder = TemporaryDirectory("store")
        let store = try EventStore.create(at: folder.path("home"), site: "north", clinicianName: "Dr. Ana Reyes", clock: clock.physical)
        return (store, folder)
    }

    func register(_ store: EventStore, name: String = "Jane Doe", mrn: String? = "123") throws -> String {
        let patient = Identifiers.make()
        try store.append(EventDraft(patient: patient, payload: .patientRegistered(PatientRegistered(name: name, born: LocalDate("1961-04-02")!, mrn: mrn))))
        return patient
    }

    @Test("the event table refuses UPDATE and DELETE, whoever asks")
    func appendOnly() throws {
        let (store, folder) = try makeStore()
        defer { folder.remove() }
        _ = try register(store)
        let queue = try DatabaseQueue(path: store.databaseURL.path)
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "UPDATE events SET body = x'00'") } }
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "DELETE FROM events") } }
        #expect(throws: DatabaseError.self) { try queue.write { try $0.execute(sql: "UPDATE store_identity SET site = 'other'") } }
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM events") } == 1)
    }

    @Test("the store runs WAL with synchronous = FULL on the writing connection")
    func durabilitySettings() throws {
        let (store, folder) = try makeStore()
        defer { folder.remove() }
        let queue = try DatabaseQueue(path: store.databaseURL.path)
        #expect(try queue.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try store.synchronousSetting() == 2)  // FULL
    }

    @Test("the last user to close a store leaves its WAL empty, so the next command does not read old pages back in")
    func walEmptiedOnClose() throws {
        let folder = TemporaryDirectory("store")
        defer { folder.remove() }
        let home = folder.path("home")
        var store: EventStore? = try EventStore.create(at: home, site: "north", clinicianName: "Dr. Ana Reyes")
        let patient = try register(try #require(store))
        try store?.append((0..<500).map { EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "note \($0)"))) })
        let wal = home.appendingPathComponent("accord.sqlite-wal").path
        func walSize() throws -> Int { (try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? -1 }
        #expect(try walSize() > 100_000, "the writes went to the WAL")
        store = nil
        #expect(try walSize() == 0, "checkpointed into the database and emptied on close")
        let reopened = try EventStore.open(at: home)
        #expect(try reopened.events(patient: patient).count == 501)
    }

    @Test("the clock stays monotonic across restarts even when the wall clock goes back")
    func clockAcrossRestarts() throws {
        let clock = ManualClock(1_790_000_000_000)
        let (store, folder) = try makeStore(clock: clock)
        defer { folder.remove() }
        let patient = try register(store)
        let first = try store.append(EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "one"))))
        clock.now -= 86_400_000  // the machine's clock is reset a day back, and Accord restarts
        let reopened = try EventStore.open(at: store.directory, clock: clock.physical)
        let second = try reopened.append(EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "two"))))
        #expect(second.envelope.hlc > first.envelope.hlc)
        clock.now += 3 * 86_400_000  // and then jumps ahead
        let third = try reopened.append(EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "three"))))
        #expect(third.envelope.hlc.wall == clock.now)
        let notes = try #require(try reopened.record(patient: patient)).notes.map(\.text)
        #expect(notes == ["one", "two", "three"])
    }

    @Test("importing the same events twice stores them once, and the clock moves past them")
    func importIdempotent() throws {
        let (store, folder) = try makeStore()
        defer { folder.remove() }
        var rng = SeededGenerator(seed: 7)
        let events = EventFixtures.randomHistory(&rng, events: 50)
        #expect(try store.importEvents(events) == events.count)
        #expect(try store.importEvents(events.shuffled(using: &rng)) == 0)
        #expect(try store.eventCount() == events.count)
        let latest = events.map(\.envelope.hlc).max()!
        #expect(try store.lastTimestamp() > latest)
        #expect(try store.record(patient: events[0].envelope.patient) == Projection.fold(events))
    }

    @Test("a batch of drafts is all or nothing: one bad event writes none")
    func atomicBatch() throws {
        let (store, folder) = try makeStore()
        defer { folder.remove() }
        let patient = try register(store)
        let good = EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "fine")))
        let bad = EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "   ")))
        #expect(throws: StoreError.self) { try store.append([good, bad]) }
        #expect(try store.eventCount() == 1)
    }

    @Test("patients are found by id, id prefix and MRN; unknown and ambiguous references say so")
    func resolvePatients() throws {
        let (store, folder) = try makeStore()
        defer { folder.remove() }
        let jane = try register(store, name: "Jane Doe", mrn: "MRN-1")
        let john = try register(store, name: "John Roe", mrn: nil)
        #expect(try store.resolvePatient(jane).id == jane)
        #expect(try store.resolvePatient(jane.uppercased()).id == jane)
        #expect(try store.resolvePatient("MRN-1").id == jane)
        #expect(try store.resolvePatient(String(john.prefix(8))).id == john)
        do { _ = try store.resolvePatient("nobody"); Issue.record("found nobody") } catch { #expect(error.code == .notFound) }
        do { _ = try store.resolvePatient("ab"); Issue.record("found by 2 characters") } catch { #expect(error.code == .notFound) }
        #expect(try store.patients().map(\.name) == ["Jane Doe", "John Roe"])
    }

    @Test("the directory follows demographic corrections and corrections of the registration")
    func directoryFollowsCorrections() throws {
        let (store, folder) = try makeStore()
        defer { folder.remove() }
        let patient = try register(store, name: "Jane Doe", mrn: "1")
        try store.append(EventDraft(patient: patient, payload: .demographicsCorrected(DemographicsCorrected(name: "Jane Dough", reason: "spelling"))))
        #expect(try store.resolvePatient("1").name == "Jane Dough")
        let registration = try store.events(patient: patient)[0]
        try store.append(EventDraft(patient: patient, payload: .entryCorrected(EntryCorrected(
            target: registration.id, reason: "wrong MRN", replacement: .patientRegistered(PatientRegistered(name: "Jane Doe", born: LocalDate("1961-04-02")!, mrn: "2"))))))
        #expect(try store.resolvePatient("2").name == "Jane Dough")
        #expect(throws: StoreError.self) { try store.resolvePatient("1") }
    }

    @Test("a store that does not exist is reported as not initialized, naming where it was looked for")
    func missingStore() throws {
        let folder = TemporaryDirectory()
        defer { folder.remove() }
        do { _ = try EventStore.open(at: folder.path("none")); Issue.record("opened") } catch {
            #expect(error.code == .notInitialized)
            #expect(error.message.contains(folder.path("none").path))
        }
    }

    @Test("a damaged file is reported as damaged, not as a crash")
    func damagedStore() throws {
        let (store, folder) = try makeStore()
        defer { folder.remove() }
        _ = try register(store)
        let url = store.databaseURL
        try Data(repeating: 0x5a, count: 8192).write(to: url)
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: url.path + suffix) }
        do { _ = try EventStore.open(at: store.directory); Issue.record("opened a damaged store") } catch {
            #expect(error.code == .damaged)
        }
    }

    @Test("a store from before ids were kept as bytes is upgraded when opened: every event, the outbox and id lookups unchanged")
    func upgradesHexIDsToBytes() throws {
        let (store, folder) = try makeStore()
        defer { folder.remove() }
        let patient = try register(store)
        let note = try store.append(EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "walked to the mailbox"))))
        let before = try store.events(patient: patient)
        // Back to the shape migrations 0001 to 0006 left: ids as 64 hex digits.
        var withoutForeignKeys = Configuration()
        withoutForeignKeys.foreignKeysEnabled = false  // as a migration runs: the table is rebuilt under the outbox's rows
        let queue = try DatabaseQueue(path: store.databaseURL.path, configuration: withoutForeignKeys)
        try queue.write { db in
            try db.execute(sql: """
                CREATE TABLE events_as_shipped (
                    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE CHECK (length(id) = 64), patient TEXT NOT NULL CHECK (length(patient) = 36),
                    type TEXT NOT NULL, site TEXT NOT NULL, hlc_wall INTEGER NOT NULL, hlc_logical INTEGER NOT NULL, body BLOB NOT NULL,
                    signature BLOB) STRICT;
                INSERT INTO events_as_shipped SELECT seq, lower(hex(id)), patient, type, site, hlc_wall, hlc_logical, body, signature FROM events ORDER BY seq;
                DROP TABLE events;
                ALTER TABLE events_as_shipped RENAME TO events;
                CREATE INDEX events_by_patient ON events (patient, hlc_wall, hlc_logical, site, id);
                DELETE FROM grdb_migrations WHERE identifier >= '0007';
                """)
        }
        #expect(try queue.read { try String.fetchOne($0, sql: "SELECT typeof(id) FROM events LIMIT 1") } == "text")
        try queue.close()

        let upgraded = try EventStore.open(at: store.directory)
        #expect(try upgraded.events(patient: patient).map(\.id) == before.map(\.id))
        #expect(try upgraded.event(patient: patient, reference: String(note.id.hex.prefix(7))).id == note.id, "an odd-length prefix still finds the entry")
        #expect(try upgraded.event(patient: patient, reference: note.id.hex).id == note.id)
        #expect(try upgraded.syncState.outboxBytes(limit: 10).map(\.id) == before.map(\.id), "the outbox still names every unsent event")
        let check = try DatabaseQueue(path: store.databaseURL.path)
        #expect(try check.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM events WHERE typeof(id) = 'blob' AND length(id) = 32") } == before.count)
        #expect(throws: DatabaseError.self, "still append-only") { try check.write { try $0.execute(sql: "DELETE FROM events") } }
    }

    @Test("a store written by a newer Accord is refused, untouched")
    func newerSchema() throws {
        let (store, folder) = try makeStore()
        defer { folder.remove() }
        let queue = try DatabaseQueue(path: store.databaseURL.path)
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999_from_the_future')") }
        try queue.close()
        do { _ = try EventStore.open(at: store.directory); Issue.record("opened") } catch {
            #expect(error.code == .newerSchema)
            #expect(error.message.contains("newer version of Accord"))
        }
    }

    @Test("a store locked by another writer reports busy and writes nothing")
    func lockedStore() throws {
        let (store, folder) = try makeStore()
        defer { folder.remove() }
        let patient = try register(store)
        let blocker = try DatabaseQueue(path: store.databaseURL.path)
        try blocker.inDatabase { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            do {
                try store.append(EventDraft(patient: patient, payload: .noteAdded(NoteAdded(text: "blocked"))))
                Issue.record("wrote through a lock")
            } catch {
                #expect((error as? StoreError)?.code == .busy)
            }
            try db.execute(sql: "ROLLBACK")
        }
        #expect(try store.eventCount() == 1)
    }

    @Test("stored bytes that were altered are detected when read")
    func alteredBytes() throws {
        let (store, folder) = try makeStore()
        defer { folder.remove() }
        let patient = try register(store)
        let queue = try DatabaseQueue(path: store.databaseURL.path)
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER events_refuse_update")
            try db.execute(sql: "UPDATE events SET body = CAST(replace(CAST(body AS TEXT), 'Jane', 'Joan') AS BLOB)")
        }
        do { _ = try store.events(patient: patient); Issue.record("altered bytes read") } catch {
            #expect(error.code == .damaged)
        }
    }
}
