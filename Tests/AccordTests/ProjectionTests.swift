import AccordCore
import Testing

@Suite("Projection: a patient's record is a deterministic fold of the log")
struct ProjectionTests {
    let patient = "5f0c7a52-1b7e-4c59-8d0e-5e2f4a1b9c01"
    let goal = "9a2e3c7d-0b4f-4a51-9c3e-1d2f3a4b5c6d"

    func registration(wall: Int64 = 100) -> Event {
        EventFixtures.event(patient: patient, wall: wall, .patientRegistered(PatientRegistered(name: "Jane Doe", born: LocalDate("1961-04-02")!, mrn: "123")))
    }

    @Test("any permutation of the same events gives an identical record (3,000 random histories, 5 orders each)")
    func permutationInvariance() throws {
        var rng = SeededGenerator(seed: 20261123)
        var nonTrivial = 0
        for history in 0..<3_000 {
            let events = EventFixtures.randomHistory(&rng, events: Int.random(in: 1...40, using: &rng))
            let expected = try #require(Projection.fold(events), "history \(history) has a registration")
            let expectedTimeline = Timeline.entries(events)
            if !expected.conflicts.isEmpty || !expected.corrections.isEmpty { nonTrivial += 1 }
            for _ in 0..<5 {
                var shuffled = events.shuffled(using: &rng)
                // Duplicated deliveries must not change anything either.
                if Bool.random(using: &rng), let extra = events.randomElement(using: &rng) { shuffled.append(extra) }
                #expect(Projection.fold(shuffled) == expected, "history \(history)")
                #expect(Timeline.entries(shuffled) == expectedTimeline, "history \(history)")
            }
        }
        // The generator must exercise corrections and conflicts, or the property says little.
        #expect(nonTrivial > 500)
    }

    @Test("the entries that change a part of the record alone tell whether it is in conflict (3,000 random histories)")
    func conflictCheckFromEntityChanges() throws {
        var rng = SeededGenerator(seed: 20261202)
        var conflicted = 0
        for history in 0..<3_000 {
            let events = EventFixtures.randomHistory(&rng, events: Int.random(in: 1...40, using: &rng))
            for event in events where event.envelope.payload.entity != nil {
                #expect(event.envelope.type.changesAnEntity, "\(event.envelope.type) changes an entity but is not listed")
            }
            let expected = !(Projection.fold(events)?.conflicts.isEmpty ?? true)
            if expected { conflicted += 1 }
            let changes = events.filter { EventType.entityChanging.contains($0.envelope.type) }.shuffled(using: &rng)
            #expect(Projection.hasOpenConflicts(changes) == expected, "history \(history)")
        }
        #expect(conflicted > 300, "the generator must make conflicts for the check to say much (\(conflicted))")
    }

    @Test("no registration, no record")
    func needsRegistration() {
        let note = EventFixtures.event(patient: patient, wall: 5, .noteAdded(NoteAdded(text: "x")))
        #expect(Projection.fold([note]) == nil)
        #expect(Projection.fold([]) == nil)
    }

    @Test("a goal's life: set, revised, reviewed, met")
    func goalLifecycle() throws {
        let r = registration()
        let set = EventFixtures.event(patient: patient, wall: 200, parents: [r.id], .goalSet(GoalSet(goal: goal, description: "walk to the mailbox")))
        let revised = EventFixtures.event(patient: patient, wall: 300, parents: [set.id], .goalRevised(GoalRevised(goal: goal, description: "walk around the block")))
        let reviewed = EventFixtures.event(patient: patient, wall: 400, parents: [revised.id], .goalReviewed(GoalReviewed(goal: goal, progress: .most, note: "twice a week")))
        let met = EventFixtures.event(patient: patient, wall: 500, parents: [reviewed.id], .goalMet(GoalMet(goal: goal)))
        let record = try #require(Projection.fold([met, reviewed, r, revised, set]))
        #expect(record.goals.count == 1)
        #expect(record.goals[0].description == "walk around the block")
        #expect(record.goals[0].status == .met)
        #expect(record.goals[0].latestReview?.progress == .most)
        #expect(record.goals[0].history.map(\.change) == ["set", "revised", "reviewed: most progress", "met"])
        #expect(record.conflicts.isEmpty)
    }

    @Test("a correction replaces the content at the original's place; the original stays in the timeline")
    func correction() throws {
        let r = registration()
        let checkin = EventFixtures.event(patient: patient, wall: 200, .checkinRecorded(CheckinRecorded(peg: [9, 9, 9])))
        let fix = EventFixtures.event(patient: patient, wall: 300, parents: [checkin.id], .entryCorrected(EntryCorrected(
            target: checkin.id, reason: "scores entered for the wrong visit", replacement: .checkinRecorded(CheckinRecorded(peg: [3, 3, 3])))))
        let record = try #require(Projection.fold([fix, checkin, r]))
        #expect(record.checkins.count == 1)
        #expect(record.checkins[0].pegScore == 3)
        #expect(record.checkins[0].stamp.event == checkin.id)
        #expect(record.corrections.map(\.kind) == ["corrected"])
        let timeline = Timeline.entries([r, checkin, fix])
        #expect(timeline.map(\.status) == ["recorded", "corrected", "recorded"])
        #expect(timeline[1].summary.contains("PEG 9"))
    }

    @Test("an entry marked entered in error no longer counts but stays readable")
    func enteredInError() throws {
        let r = registration()
        let consent = EventFixtures.event(patient: patient, wall: 200, .consentRecorded(ConsentRecorded(
            items: ConsentItem.all.map { ConsentItemRecord(key: $0.id, discussed: true) }, naloxone: .offered, decision: .accepts)))
        let marker = EventFixtures.event(patient: patient, wall: 300, parents: [consent.id], .entryEnteredInError(EntryEnteredInError(target: consent.id, reason: "wrong patient")))
        let record = try #require(Projection.fold([r, consent, marker]))
        #expect(record.consents.isEmpty)
        #expect(record.corrections.first?.reason == "wrong patient")
        #expect(Timeline.entries([r, consent, marker])[1].status == "entered-in-error")
    }

    @Test("a correction of a different type than its target is ignored")
    func mismatchedCorrection() throws {
        let r = registration()
        let note = EventFixtures.event(patient: patient, wall: 200, .noteAdded(NoteAdded(text: "original")))
        let bad = EventFixtures.event(patient: patient, wall: 300, .entryCorrected(EntryCorrected(
            target: note.id, reason: "x", replacement: .checkinRecorded(CheckinRecorded(peg: [1, 1, 1])))))
        let record = try #require(Projection.fold([r, note, bad]))
        #expect(record.notes.map(\.text) == ["original"])
        #expect(record.checkins.isEmpty)
    }

    @Test("concurrent changes to one goal at two sites show as a conflict; a change building on both resolves it")
    func conflicts() throws {
        let r = registration()
        let set = EventFixtures.event(patient: patient, wall: 200, parents: [r.id], .goalSet(GoalSet(goal: goal, description: "garden")))
        let north = EventFixtures.event(patient: patient, site: "north", wall: 300, parents: [set.id], .goalRevised(GoalRevised(goal: goal, description: "garden 10 minutes")))
        let south = EventFixtures.event(patient: patient, site: "south", author: EventFixtures.authorB, wall: 301, parents: [set.id], .goalDropped(GoalDropped(goal: goal, reason: "knee surgery")))
        let conflicted = try #require(Projection.fold([r, set, north, south]))
        #expect(conflicted.conflicts.count == 1)
        #expect(Set(conflicted.conflicts[0].heads) == [north.id, south.id])
        let resolve = EventFixtures.event(patient: patient, wall: 400, parents: [north.id, south.id], .goalRevised(GoalRevised(goal: goal, description: "garden 5 minutes, seated", reason: "agreed after both visits")))
        let resolved = try #require(Projection.fold([r, set, north, south, resolve]))
        #expect(resolved.conflicts.isEmpty)
        #expect(Projection.heads(of: .goal(goal), in: [r, set, north, south, resolve]) == [resolve.id])
    }

    @Test("a taper pause holds the dose and moves every later step by the length of the pause")
    func taperPause() throws {
        let plan = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
        let r = registration()
        let steps = (0..<4).map { TaperStep(on: LocalDate("2026-01-01")!.adding(days: 28 * $0), dailyDose: 40 - 4 * Double($0), unit: "mg") }
        let start = EventFixtures.event(patient: patient, wall: 200, .taperStarted(TaperStarted(plan: plan, medication: "oxycodone", ratePercent: 10, intervalDays: 28, basis: .original, steps: steps)))
        let pause = EventFixtures.event(patient: patient, wall: 300, .taperPaused(TaperPaused(plan: plan, on: LocalDate("2026-02-01")!, reason: "withdrawal symptoms")))
        let paused = try #require(Projection.fold([r, start, pause]))
        #expect(paused.taperPlans[0].status == .paused)
        let resume = EventFixtures.event(patient: patient, wall: 400, .taperResumed(TaperResumed(plan: plan, on: LocalDate("2026-02-15")!)))
        let record = try #require(Projection.fold([r, start, pause, resume]))
        let moved = record.taperPlans[0].steps.map(\.on.description)
        #expect(moved == ["2026-01-01", "2026-01-29", "2026-03-12", "2026-04-09"])
        #expect(record.taperPlans[0].status == .active)
    }

    @Test("an active agreement past its renewal date reads expired; an ended one stays ended")
    func agreementExpiry() throws {
        let agreement = "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091"
        let r = registration()
        let signed = EventFixtures.event(patient: patient, wall: 200, .agreementSigned(AgreementSigned(agreement: agreement, clauses: AgreementClause.defaultKeys, effectiveOn: LocalDate("2025-01-01")!, renewOn: LocalDate("2026-01-01")!, method: .paper)))
        let record = try #require(Projection.fold([r, signed]))
        #expect(record.evaluated(on: LocalDate("2025-12-31")!).agreements[0].status == .active)
        #expect(record.evaluated(on: LocalDate("2026-01-02")!).agreements[0].status == .expired)
        let ended = EventFixtures.event(patient: patient, wall: 300, .agreementEnded(AgreementEnded(agreement: agreement, reason: "care transferred")))
        let endedRecord = try #require(Projection.fold([r, signed, ended]))
        #expect(endedRecord.evaluated(on: LocalDate("2026-06-01")!).agreements[0].status == .ended)
    }
}
