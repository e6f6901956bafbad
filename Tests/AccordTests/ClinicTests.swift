import AccordKit
import Foundation
import Testing

/// The app core on an in-memory store: every rule the clinic checks, and the parents it gives each event.
@Suite("The clinic (AccordKit) on an in-memory store")
struct ClinicTests {
    let clinic: Clinic

    init() throws {
        clinic = Clinic(store: try EventStore.inMemory(site: "north", clinicianName: "Dr. Ana Reyes", timeZone: "America/Denver"))
    }

    func patient(mrn: String = "M1") async throws -> PatientChart {
        let recorded = try await clinic.registerPatient(name: "Mia Memory", born: LocalDate("1970-05-05")!, mrn: mrn)
        return try clinic.chart(recorded.patient)
    }

    @Test("a registered patient is found by MRN, and an MRN is unique")
    func register() async throws {
        let chart = try await patient()
        #expect(chart.record.name == "Mia Memory")
        #expect(try clinic.chart("M1").record.id == chart.record.id)
        await #expect(throws: ClinicError.self) { try await clinic.registerPatient(name: "Other", born: LocalDate("1980-01-01")!, mrn: "M1") }
        do { _ = try await clinic.registerPatient(name: "Other", born: LocalDate("1980-01-01")!, mrn: "M1") } catch {
            #expect(error.code == .alreadyExists)
        }
        #expect(try clinic.patients().count == 1)
    }

    @Test("a goal revision builds on the goal's latest event, so no false conflict appears")
    func goalParents() async throws {
        var chart = try await patient()
        let set = try await clinic.setGoal(chart, description: "walk the dog")
        chart = try clinic.chart(chart.record.id)
        let goal = try chart.goal("1")
        let revised = try await clinic.reviseGoal(chart, goal: goal, description: "walk the dog twice a day")
        #expect(revised.event.envelope.parents == [set.event.id])
        chart = try clinic.chart(chart.record.id)
        let reviewed = try await clinic.reviewGoal(chart, goal: try chart.goal("1"), progress: .some)
        #expect(reviewed.event.envelope.parents == [revised.event.id])
        #expect(try clinic.chart(chart.record.id).record.conflicts.isEmpty)
        // An event that changes no entity builds on the registration.
        let note = try await clinic.addNote(chart, text: "called in")
        #expect(note.event.envelope.parents == [chart.record.registered.event])
    }

    @Test("one open agreement at a time; an ended agreement changes no more; renewal dates must be ahead")
    func agreements() async throws {
        var chart = try await patient()
        let signed = try await clinic.signAgreement(chart)
        #expect(signed.event.signatureStatus.isValid)
        chart = try clinic.chart(chart.record.id)
        await expectCode(.alreadyExists) { try await clinic.signAgreement(chart) }
        let agreement = try chart.agreement(nil)
        await expectCode(.invalid) { try await clinic.renewAgreement(chart, agreement: agreement, renewOn: LocalDate("2001-01-01")!) }
        _ = try await clinic.endAgreement(chart, agreement: agreement, reason: "moved away")
        chart = try clinic.chart(chart.record.id)
        let ended = try #require(chart.record.agreements.first)
        await expectCode(.notAllowed) { try await clinic.amendAgreement(chart, agreement: ended, clauses: ["one-pharmacy"], reason: "x") }
        _ = try await clinic.signAgreement(chart)
    }

    @Test("medication lists are written only when every line reads; unusual doses need confirming")
    func medications() async throws {
        let chart = try await patient()
        await expectCode(.invalid) { try await clinic.recordMedications(chart, ["oxycodone 10 mg q6h", "oxycodon 5 mg q4h"]).recorded }
        await expectCode(.unusualDose) { try await clinic.recordMedications(chart, ["oxycodone 1000 mg q1h"]).recorded }
        #expect(try clinic.chart(chart.record.id).record.medications.isEmpty)
        let (_, mme) = try await clinic.recordMedications(chart, ["oxycodone 10 mg q6h", "meperidine 50 mg q4h"])
        #expect(mme.totalMME == 60 && !mme.complete)
        _ = try await clinic.recordMedications(chart, ["oxycodone 1000 mg q1h"], confirmUnusual: true)
    }

    @Test("one taper at a time; pause only an active one, resume only a paused one, not before it paused; a faster pace needs a reason")
    func taper() async throws {
        var chart = try await patient()
        let fast = try clinic.proposeTaper(chart, medication: "oxycodone 10 mg q6h", ratePercent: 25, intervalDays: 7, duration: .longTerm)
        #expect(fast.warning != nil)
        await expectCode(.fasterThanGuide) { try await clinic.startTaper(chart, fast, ratePercent: 25, intervalDays: 7) }
        let slow = try clinic.proposeTaper(chart, medication: "oxycodone 10 mg q6h", ratePercent: 10, intervalDays: 30, start: LocalDate("2027-01-04")!)
        let started = try await clinic.startTaper(chart, slow, ratePercent: 10, intervalDays: 30)
        #expect(started.event.signatureStatus.isValid)
        chart = try clinic.chart(chart.record.id)
        #expect(throws: ClinicError.self) { try clinic.proposeTaper(chart, medication: "oxycodone 10 mg q6h", ratePercent: 10, intervalDays: 30) }
        var plan = try chart.taperPlan(nil)
        await expectCode(.notAllowed) { try await clinic.resumeTaper(chart, plan: plan) }
        _ = try await clinic.pauseTaper(chart, plan: plan, on: LocalDate("2027-02-01")!, reason: "withdrawal")
        chart = try clinic.chart(chart.record.id)
        plan = try chart.taperPlan(nil)
        await expectCode(.notAllowed) { try await clinic.pauseTaper(chart, plan: plan, reason: "again") }
        await expectCode(.invalid) { try await clinic.resumeTaper(chart, plan: plan, on: LocalDate("2027-01-15")!) }
        let resumed = try await clinic.resumeTaper(chart, plan: plan, on: LocalDate("2027-02-15")!)
        #expect(resumed.event.envelope.parents.count == 1)
        chart = try clinic.chart(chart.record.id)
        plan = try chart.taperPlan(nil)
        let adjustment = try clinic.proposeAdjustment(chart, plan: plan, ratePercent: 5, intervalDays: 30, effectiveOn: LocalDate("2027-03-01")!, reason: "slower")
        _ = try await clinic.adjustTaper(chart, plan: plan, adjustment, ratePercent: 5, intervalDays: 30, reason: "slower")
        #expect(throws: ClinicError.self) {
            try clinic.proposeAdjustment(chart, plan: plan, ratePercent: 5, intervalDays: 30, effectiveOn: LocalDate("2027-03-01")!, dose: 400, reason: "pain got worse after a fall")
        }
        chart = try clinic.chart(chart.record.id)
        _ = try await clinic.completeTaper(chart, plan: try chart.taperPlan(nil))
        chart = try clinic.chart(chart.record.id)
        let completed = try #require(chart.record.taperPlans.first)
        await expectCode(.notAllowed) { try await clinic.pauseTaper(chart, plan: completed, reason: "x") }
    }

    @Test("a worrying check-in during a taper is returned at once")
    func checkinDuringTaper() async throws {
        var chart = try await patient()
        _ = try await clinic.recordMedications(chart, ["oxycodone 10 mg q6h"])
        chart = try clinic.chart(chart.record.id)
        let proposal = try clinic.proposeTaper(chart, medication: "oxycodone 10 mg q6h", ratePercent: 10, intervalDays: 30)
        _ = try await clinic.startTaper(chart, proposal, ratePercent: 10, intervalDays: 30)
        chart = try clinic.chart(chart.record.id)
        let calm = try await clinic.recordCheckin(chart, CheckinRecorded(peg: [5, 5, 5]))
        #expect(calm.taperFlags.isEmpty)
        let worried = try await clinic.recordCheckin(chart, CheckinRecorded(phq2: [3, 3]))
        #expect(worried.taperFlags.map(\.key) == ["taper-consider-pause"])
        await expectCode(.invalid) { try await clinic.recordCheckin(chart, CheckinRecorded()).recorded }
    }

    @Test("corrections: fields replaced and checked; a correction of a correction refused; conflicts resolve to the kept side")
    func corrections() async throws {
        let chart = try await patient()
        let note = try await clinic.addNote(chart, text: "typo hre")
        let fixed = try await clinic.correct(chart, entry: note.event, fields: [("text", "typo here")], reason: "spelling")
        #expect(fixed.event.envelope.parents == [note.event.id])
        await expectCode(.invalid) { try await clinic.correct(chart, entry: note.event, fields: [("colour", "blue")], reason: "x") }
        await expectCode(.notAllowed) { try await clinic.correct(chart, entry: fixed.event, fields: [("reason", "y")], reason: "x") }
        #expect(try clinic.chart(chart.record.id).record.notes.map(\.text) == ["typo here"])
        #expect(try clinic.conflicts().isEmpty)
        await expectCode(.notFound) { try await clinic.resolveConflict(chart, keep: note.event) }
    }

    @Test("sharing: never with this site, never twice")
    func share() async throws {
        var chart = try await patient()
        await expectCode(.invalid) { try await clinic.share(chart, with: "north") }
        _ = try await clinic.share(chart, with: "south")
        chart = try clinic.chart(chart.record.id)
        await expectCode(.alreadyExists) { try await clinic.share(chart, with: "south") }
    }

    @Test("observation: the patient list and a record publish every change")
    func observation() async throws {
        var lists = clinic.patientListUpdates().makeAsyncIterator()
        #expect(try await lists.next()?.isEmpty == true)
        let chart = try await patient()
        #expect(try await lists.next()?.map(\.name) == ["Mia Memory"])
        var records = clinic.recordUpdates(patient: chart.record.id).makeAsyncIterator()
        #expect(try await records.next()??.goals.isEmpty == true)
        _ = try await clinic.setGoal(chart, description: "cook dinner")
        #expect(try await records.next()??.goals.map(\.description) == ["cook dinner"])
    }

    @Test("the key never leaves its store: the store signs through it and an app can supply its own")
    func keys() async throws {
        let keys = MemorySigningKeyStore()
        let store = try EventStore.inMemory(site: "east", clinicianName: "Dr. Key", keys: keys)
        let clinic = Clinic(store: store)
        let registered = try await clinic.registerPatient(name: "K", born: LocalDate("1990-01-01")!)
        let consent = ConsentRecorded(items: ConsentItem.all.map { ConsentItemRecord(key: $0.id, discussed: true) }, naloxone: .offered, decision: .accepts)
        let recorded = try await clinic.recordConsent(try clinic.chart(registered.patient), consent)
        #expect(recorded.event.envelope.signing?.key == (try keys.publicKey()).rawRepresentation.base64EncodedString())
        #expect(recorded.event.signatureStatus.isValid)
    }

    func expectCode<T>(_ code: ClinicError.Code, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T) async {
        do {
            _ = try await body()
            Issue.record("expected a \(code) error", sourceLocation: sourceLocation)
        } catch let error as ClinicError {
            #expect(error.code == code, "\(error.message)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("expected a ClinicError, got \(error)", sourceLocation: sourceLocation)
        }
    }
}

@Suite("Connecting to a sync server")
struct ConnectTests {
    @Test("the same server spelled another way keeps the pinned log and cursor; another server needs confirming and resets them")
    func spelling() throws {
        let store = try EventStore.inMemory(site: "north", clinicianName: "Dr. Pin")
        let clinic = Clinic(store: store)
        do {
            try clinic.connect(server: URL(string: "http://Sync.Example.org:80/")!, credential: "c1")
            Issue.record("plain http to another machine was accepted without --insecure")
        } catch {
            #expect(error.code == .insecure)
        }
        #expect(try store.syncState.remote() == nil, "nothing stored")
        try clinic.connect(server: URL(string: "http://Sync.Example.org:80/")!, credential: "c1", allowInsecure: true)
        #expect(try store.syncState.remote()?.url == "http://sync.example.org")
        try store.syncState.setLogState(serverKey: "key", checkpoint: "{}")
        try clinic.connect(server: URL(string: "HTTP://sync.example.org/")!, credential: "c2", allowInsecure: true)
        #expect(try store.syncState.logState().serverKey == "key", "the pin stays for the same server")
        #expect(try store.syncState.remote()?.credential == "c2")
        do {
            try clinic.connect(server: URL(string: "https://other.example.org")!, credential: "c3")
            Issue.record("changed server without confirmation")
        } catch {
            #expect(error.code == .serverChange)
        }
        #expect(try store.syncState.remote()?.url == "http://sync.example.org")
        try clinic.connect(server: URL(string: "https://other.example.org")!, credential: "c3", newServer: true)
        #expect(try store.syncState.remote()?.url == "https://other.example.org")
        #expect(try store.syncState.logState().serverKey == nil, "a new server is trusted anew")
        #expect(throws: ClinicError.self) { try clinic.connect(server: URL(string: "ftp://x.org")!, credential: "c") }
        // This machine needs no confirmation.
        let local = Clinic(store: try EventStore.inMemory(site: "north", clinicianName: "Dr. Local"))
        for address in ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"] {
            try local.connect(server: URL(string: address)!, credential: "c", newServer: true)
        }
    }

    @Test("accord remote add reads the credential from the environment or standard input when it is not on the command line")
    func credentialOffTheCommandLine() throws {
        let folder = TemporaryDirectory("credential")
        defer { folder.remove() }
        let home = folder.path("store")
        #expect(try Run.accord(["init", "--site", "north", "--clinician", "Dr. Quiet"], store: home).status == 0)
        let piped = try Run.accord(["remote", "add", "http://127.0.0.1:9"], store: home, input: "acs_from-stdin\n")
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(try EventStore.open(at: home).syncState.remote()?.credential == "acs_from-stdin")
        let empty = try Run.accord(["remote", "add", "http://127.0.0.1:9"], store: home, input: "")
        #expect(empty.status != 0 && empty.stderr.contains("credential is missing"), "\(empty.stderr)")
        let remote = try Run.accord(["remote", "add", "http://10.1.2.3:8080", "--credential", "acs_x", "--new-server"], store: home)
        #expect(remote.status != 0 && remote.stderr.contains("unencrypted") && remote.stderr.contains("--insecure"), "\(remote.stderr)")
    }
}
