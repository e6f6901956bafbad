import AccordCore
import Crypto
import Foundation
import GRDB
import GRDBSQLite

/// A site's local store: the append-only event log in one SQLite file (WAL, `synchronous = FULL`) beside the
/// clinician's signing key. Every append is durable when it returns.
///
/// The database is any GRDB `DatabaseWriter`: a `DatabasePool` on a file for the CLI and apps (`open(at:)`), an
/// in-memory `DatabaseQueue` for tests and previews (`inMemory(site:clinicianName:)`).
public final class EventStore: Sendable {
    /// The database file's name inside the store folder.
    public static let databaseFileName = "accord.sqlite"

    /// The store's folder; for an in-memory store, a name that exists nowhere on disk.
    public let directory: URL
    /// Who writes at this store: its site and clinician.
    public let identity: StoreIdentity
    /// The clinician's signing key: signs consents, agreements and taper changes as they are written.
    public let keys: any SigningKeyStore
    let writer: any DatabaseWriter
    let clock: PhysicalClock

    /// Where the database file is.
    public var databaseURL: URL { directory.appendingPathComponent(Self.databaseFileName) }

    init(directory: URL, identity: StoreIdentity, writer: any DatabaseWriter, keys: any SigningKeyStore, clock: PhysicalClock) {
        self.directory = directory
        self.identity = identity
        self.writer = writer
        self.keys = keys
        self.clock = clock
    }

    /// A store held in memory, for tests and previews: the same migrations, rules and signatures as a file store,
    /// gone when the value is released.
    public static func inMemory(site: String, clinicianName: String, timeZone: String = "UTC",
                                keys: any SigningKeyStore = MemorySigningKeyStore(),
                                clock: PhysicalClock = .system) throws(StoreError) -> EventStore {
        guard Identifiers.isValidSiteName(site) else {
            throw StoreError(.invalid, "Site name '\(site)' is not valid: \(Identifiers.siteNameRule).")
        }
        try checkTimeZone(timeZone)
        let identity = StoreIdentity.new(site: site, clinicianName: clinicianName, at: clock.now())
        let directory = URL(fileURLWithPath: "/in-memory/\(site)")
        let queue = try mapErrors(at: directory) {
            let queue = try DatabaseQueue()
            try StoreMigrations.migrator().migrate(queue)
            try queue.write { db in
                try identity.insert(db)
                try db.execute(sql: "INSERT INTO clinic_settings (singleton, time_zone) VALUES (1, ?)", arguments: [timeZone])
            }
            return queue
        }
        return EventStore(directory: directory, identity: identity, writer: queue, keys: keys, clock: clock)
    }

    // MARK: Creating and opening

    /// Whether a store exists in `directory`, and who it belongs to, without changing anything.
    public static func existingIdentity(at directory: URL) throws(StoreError) -> StoreIdentity? {
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent(databaseFileName).path) else { return nil }
        return try open(at: directory).identity
    }

    /// Creates a store for `site` and `clinicianName`, with a new signing key. The database appears under its
    /// final name only once complete, so an interrupted `init` leaves no half-made store behind.
    public static func create(at directory: URL, site: String, clinicianName: String,
                              timeZone: String = TimeZone.current.identifier,
                              clock: PhysicalClock = .system) throws(StoreError) -> EventStore {
        try checkTimeZone(timeZone)
        guard Identifiers.isValidSiteName(site) else {
            throw StoreError(.invalid, "Site name '\(site)' is not valid: \(Identifiers.siteNameRule).")
        }
        do { try EventRules.text(clinicianName, "clinician name", maximum: 200) } catch {
            throw StoreError(.invalid, "The clinician name is not valid: \(error).")
        }
        let fileManager = FileManager.default
        let finalURL = directory.appendingPathComponent(databaseFileName)
        if fileManager.fileExists(atPath: finalURL.path) {
            throw StoreError(.alreadyInitialized, "A store already exists at \(directory.path).")
        }
        do {
            try fileManager.createDirectory(at: directory, withIntermediateDirectories: true,
                                            attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError(.io, "Cannot create the store folder \(directory.path): \(error.localizedDescription)")
        }
        // The mode asked for above is narrowed by the umask only one way; set it outright.
        chmod(directory.path, 0o700)
        let keyURL = directory.appendingPathComponent(ClinicianKey.fileName)
        if !fileManager.fileExists(atPath: keyURL.path) {
            do { _ = try ClinicianKey.create(in: directory) } catch let error as StoreError { throw error } catch {
                throw StoreError(.io, "Cannot create the signing key: \(error)")
            }
        }
        let draftURL = directory.appendingPathComponent(databaseFileName + ".creating")
        for suffix in ["", "-wal", "-shm"] { try? fileManager.removeItem(atPath: draftURL.path + suffix) }
        let identity = StoreIdentity.new(site: site, clinicianName: clinicianName, at: clock.now())
        try mapErrors(at: directory) {
            let queue = try DatabaseQueue(path: draftURL.path)
            try StoreMigrations.migrator().migrate(queue)
            try queue.write { db in
                try identity.insert(db)
                try db.execute(sql: "INSERT INTO clinic_settings (singleton, time_zone) VALUES (1, ?)", arguments: [timeZone])
            }
            try queue.close()
        }
        // Health data: only the owner may read the database (SQLite gives its WAL files the same mode).
        chmod(draftURL.path, 0o600)
        guard rename(draftURL.path, finalURL.path) == 0 else {
            throw StoreError(.io, "Cannot finish creating the store at \(finalURL.path): \(String(cString: strerror(errno))).")
        }
        return try open(at: directory, clock: clock)
    }

    /// How an opened store holds its database file.
    public enum Connections: Sendable {
        /// A writer with readers beside it (a GRDB `DatabasePool`): an app's screens read while a sync writes.
        case writerAndReaders
        /// One connection for everything (a GRDB `DatabaseQueue`), for a command that does one thing at a time. It
        /// opens without the pool's set-up write (GRDB writes a transaction whenever the WAL file is empty, which the
        /// last close leaves it), so a command that only reads syncs nothing to disk: 4 fsyncs fewer a command.
        case single
    }

    /// Opens an existing store, applying any migrations this version adds.
    public static func open(at directory: URL, keys: (any SigningKeyStore)? = nil, clock: PhysicalClock = .system,
                            connections: Connections = .writerAndReaders) throws(StoreError) -> EventStore {
        let url = directory.appendingPathComponent(databaseFileName)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw StoreError(.notInitialized, "No Accord store at \(directory.path).")
        }
        return try mapErrors(at: directory) {
            var configuration = Configuration()
            configuration.busyMode = .timeout(3)
            configuration.prepareDatabase { db in
                // Keep the WAL file between runs: each short-lived `accord` command then skips creating, syncing
                // and deleting it (several fsyncs a run).
                var persist: Int32 = 1
                _ = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
            }
            let writer: any DatabaseWriter
            switch connections {
            case .writerAndReaders:
                writer = try DatabasePool(path: url.path, configuration: configuration)
            case .single:
                let queue = try DatabaseQueue(path: url.path, configuration: configuration)
                _ = try queue.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") }
                writer = queue
            }
            // GRDB's pool runs WAL with synchronous = NORMAL; FULL makes every acknowledged commit survive power loss.
            // A 32 MiB page cache on the writer keeps the id and patient indexes in memory during bulk imports, and
            // the WAL may reach 10,000 pages (40 MB) before a checkpoint: a pulled page of 1,000 events dirties more
            // than the default 1,000, which made every page's commit a checkpoint too. A journal size limit makes the
            // last connection to close empty the kept WAL after its checkpoint: otherwise the next command rebuilt its
            // index by reading every old frame back (a 4 MB WAL: 1,000 reads at each open) and copied them all into
            // the database again when it closed.
            try writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL; PRAGMA cache_size = -32768; PRAGMA wal_autocheckpoint = 10000; PRAGMA journal_size_limit = 4194304")
            }
            let migrator = try StoreMigrations.migrator()
            let (superseded, complete) = try writer.read { db in
                (try migrator.hasBeenSuperseded(db), try migrator.hasCompletedMigrations(db))
            }
            if superseded {
                throw StoreError(.newerSchema, "The store at \(directory.path) was written by a newer version of Accord; update Accord to use it. Nothing was changed.")
            }
            if !complete { try migrator.migrate(writer) }
            guard let identity = try writer.read({ db in try StoreIdentity.fetchOne(db) }) else {
                throw StoreError(.damaged, "The store at \(directory.path) has no site identity; it is damaged. Restore it from a backup.")
            }
            return EventStore(directory: directory, identity: identity, writer: writer,
                              keys: keys ?? FileSigningKeyStore(directory: directory), clock: clock)
        }
    }

    // MARK: Writing

    /// Records new events written at this site, all or none, each stamped with the author, site and a clock
    /// timestamp later than any this store has issued or seen. Durable when it returns.
    @discardableResult
    public func append(_ drafts: [EventDraft]) throws(StoreError) -> [Event] {
        let publicKey = try signingKey(for: drafts)
        return try write { db in try self.insert(drafts, publicKey: publicKey, db) }
    }

    /// The same, without holding a thread of the caller's while SQLite syncs the file to disk.
    @discardableResult
    public func append(_ drafts: [EventDraft]) async throws(StoreError) -> [Event] {
        // The key travels as its bytes: swift-crypto's key types are not Sendable.
        let raw = try signingKey(for: drafts)?.rawRepresentation
        return try await asyncWrite { db in
            try self.insert(drafts, publicKey: try raw.map(Curve25519.Signing.PublicKey.init(rawRepresentation:)), db)
        }
    }

    /// Consents, agreements and taper changes are signed with the clinician's key, read only when needed.
    private func signingKey(for drafts: [EventDraft]) throws(StoreError) -> Curve25519.Signing.PublicKey? {
        try drafts.contains { $0.payload.type.requiresSignature } ? keys.publicKey() : nil
    }

    /// Stamps, signs and inserts drafts inside the caller's transaction, with their outbox rows.
    private func insert(_ drafts: [EventDraft], publicKey: Curve25519.Signing.PublicKey?, _ db: Database) throws -> [Event] {
        var clock = try HLCState.load(db)
        var events: [Event] = []
        let author = Author(id: identity.clinicianID, name: identity.clinicianName)
        for draft in drafts {
            let physical = self.clock.now()
            var signing: Signing?
            if draft.payload.type.requiresSignature, let publicKey {
                let intent = draft.signing ?? SigningIntent()
                signing = Signing(key: publicKey.rawRepresentation.base64EncodedString(), meaning: intent.meaning,
                                  patientAgreed: intent.patientAgreed ?? draft.payload.agreementMethod)
            }
            let envelope = EventEnvelope(patient: draft.patient, author: author, site: identity.site,
                                         hlc: clock.tick(physical: physical),
                                         recorded: Timestamp.iso8601(epochMilliseconds: physical),
                                         parents: draft.parents, payload: draft.payload, signing: signing)
            let event: Event
            do {
                event = signing != nil ? try Event.signed(envelope, by: { bytes in try keys.signature(for: bytes) }) : try Event(envelope)
            } catch let error as RuleViolation {
                throw StoreError(.invalid, error.message)
            }
            try EventRows.insert(event, db)
            try Outbox.add(event, db)
            events.append(event)
        }
        try HLCState.save(clock, db)
        try PatientDirectory.refresh(patients: Set(events.filter { $0.envelope.type.touchesDemographics }.map(\.envelope.patient)), db)
        return events
    }

    @discardableResult
    /// Records one event written at this site; durable when it returns.
    public func append(_ draft: EventDraft) throws(StoreError) -> Event {
        try append([draft])[0]
    }

    /// Stores events written elsewhere (another site, a bulk import) in one transaction. An event already held
    /// is skipped, so a re-sent batch is harmless. Returns how many were new.
    @discardableResult
    public func importEvents(_ events: [Event]) throws(StoreError) -> Int {
        try write { db in try self.importRows(events, db) }
    }

    /// Inserts events from elsewhere, moves the clock past them and refreshes the directory; inside a transaction.
    func importRows(_ events: [Event], _ db: Database) throws -> Int {
        var inserted = 0
        var latest = HLCTimestamp.zero
        var demographics = Set<String>()
        for event in events {
            if try EventRows.insert(event, db) { inserted += 1 }
            latest = max(latest, event.envelope.hlc)
            if event.envelope.type.touchesDemographics { demographics.insert(event.envelope.patient) }
        }
        var clock = try HLCState.load(db)
        clock.receive(latest, physical: self.clock.now())
        try HLCState.save(clock, db)
        try PatientDirectory.refresh(patients: demographics, db)
        return inserted
    }

    // MARK: Reading

    /// A patient's events in fold order, each checked against its id.
    public func events(patient: String) throws(StoreError) -> [Event] {
        try read { db in try EventRows.fetch(patient: patient, db) }
    }

    /// The patient's events of these types, each checked against its id (in no particular order).
    public func events(patient: String, types: [EventType]) throws(StoreError) -> [Event] {
        try read { db in try EventRows.fetch(patient: patient, types: types, db) }
    }

    /// The patient's record, folded from their events.
    public func record(patient: String) throws(StoreError) -> PatientRecord? {
        Projection.fold(try events(patient: patient))
    }

    /// Every patient in the directory, by name.
    public func patients() throws(StoreError) -> [PatientDirectoryEntry] {
        try read(Self.patientList)
    }

    static func patientList(_ db: Database) throws -> [PatientDirectoryEntry] {
        try PatientDirectoryEntry.order(PatientDirectoryEntry.Columns.name.collating(.localizedCaseInsensitiveCompare),
                                        PatientDirectoryEntry.Columns.id).fetchAll(db)
    }

    /// Finds a patient by full id, MRN, or an id prefix of at least 4 characters.
    public func resolvePatient(_ reference: String) throws(StoreError) -> PatientDirectoryEntry {
        let reference = reference.trimmingCharacters(in: .whitespaces)
        guard !reference.isEmpty else { throw StoreError(.invalid, "No patient given; name one by id, id prefix or MRN.") }
        return try read { db in
            if let entry = try PatientDirectoryEntry.fetchOne(db, key: reference.lowercased()) { return entry }
            let byMRN = try PatientDirectoryEntry.filter(PatientDirectoryEntry.Columns.mrn == reference).limit(2).fetchAll(db)
            if byMRN.count == 1 { return byMRN[0] }
            if byMRN.count > 1 {
                throw StoreError(.ambiguous, "More than one patient has MRN '\(reference)'; name the patient by id.")
            }
            let prefix = reference.lowercased()
            guard prefix.count >= 4 else {
                throw StoreError(.notFound, "No patient has id or MRN '\(reference)' (an id prefix needs at least 4 characters).")
            }
            let matches = try PatientDirectoryEntry
                .filter(PatientDirectoryEntry.Columns.id >= prefix && PatientDirectoryEntry.Columns.id < prefix + "~")
                .limit(2).fetchAll(db)
            guard let first = matches.first else {
                throw StoreError(.notFound, "No patient has id, id prefix or MRN '\(reference)'.")
            }
            guard matches.count == 1 else {
                throw StoreError(.ambiguous, "More than one patient's id starts with '\(reference)'; give more of the id.")
            }
            return first
        }
    }

    /// One of the patient's events, named by id or an id prefix of at least 6 characters.
    public func event(patient: String, reference: String) throws(StoreError) -> Event {
        let prefix = reference.lowercased()
        guard prefix.count >= 6, prefix.count <= 64, prefix.allSatisfy(\.isHexDigit) else {
            throw StoreError(.invalid, "'\(reference)' is not an event id; give at least 6 of its hex digits.")
        }
        let matches = try read { db in try EventRows.fetch(patient: patient, idPrefix: prefix, db) }
        guard let first = matches.first else {
            throw StoreError(.notFound, "This patient has no event whose id starts with '\(reference)'.")
        }
        guard matches.count == 1 else {
            throw StoreError(.ambiguous, "More than one of this patient's events starts with '\(reference)'; give more of the id.")
        }
        return first
    }

    /// How many events the store holds.
    public func eventCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events") ?? 0 }
    }

    /// SQLite's own check of every page of the file: "ok" when the file is sound.
    public func integrityCheck() throws(StoreError) -> String {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    /// The clock state this store would stamp its next event after.
    public func lastTimestamp() throws(StoreError) -> HLCTimestamp {
        try read { db in try HLCState.load(db).last }
    }

    // MARK: Plumbing

    func write<T>(_ body: @escaping (Database) throws -> T) throws(StoreError) -> T {
        try Self.mapErrors(at: directory) {
            try writer.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        }
    }

    func asyncWrite<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await writer.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch {
            throw Self.storeError(error, at: directory)
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        try Self.mapErrors(at: directory) { try writer.read(body) }
    }

    static func mapErrors<T>(at directory: URL, _ body: () throws -> T) throws(StoreError) -> T {
        do { return try body() } catch { throw storeError(error, at: directory) }
    }

    /// Any failure as the store reports it: its own errors as they are, SQLite's mapped, the rest as I/O.
    static func storeError(_ error: any Error, at directory: URL) -> StoreError {
        switch error {
        case let error as StoreError: error
        case let error as DatabaseError: StoreErrorMapping.map(error, directory: directory)
        default: StoreError(.io, "The store at \(directory.path) could not be used: \(error.localizedDescription)")
        }
    }
}

extension EventStore {
    /// `PRAGMA synchronous` on the writing connection (2 is FULL), for tests and diagnostics.
    public func synchronousSetting() throws(StoreError) -> Int {
        try Self.mapErrors(at: directory) {
            try writer.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
        }
    }
}
