import AccordCore
import AccordKit
import AccordStore
import Foundation
import Testing

/// Every kind of part of a record, and every pair of changes two sites can make to it at once: while open, each
/// site shows both sides and a record holding only what the sides share; after `conflicts resolve --keep X`, both
/// sites show exactly X's outcome, and the resolution is in the part's history.
@Suite("Conflicts: every entity kind and operation pair, kept either way")
struct ConflictMatrixTests {
    /// One change a site makes to the part under test.
    typealias Change = @Sendable (Clinic, PatientChart) async throws -> Void

    struct Pair: Sendable, CustomTestStringConvertible {
        let kind: String
        let first: (name: String, change: Change)
        let second: (name: String, change: Change)
        let setUp: Change
        let entity: @Sendable (PatientRecord) -> EntityKey
        var testDescription: String { "\(kind): \(first.name) / \(second.name)" }
    }

    static let start = LocalDate("2027-01-04")!

    static let pairs: [Pair] = {
        let goal: Change = { clinic, chart in _ = try await clinic.setGoal(chart, description: "garden for 10 minutes") }
        let revise: Change = { clinic, chart in _ = try await clinic.reviseGoal(chart, goal: try chart.goal("1"), description: "garden for 20 minutes") }
        let reviseOther: Change = { clinic, chart in _ = try await clinic.reviseGoal(chart, goal: try chart.goal("1"), description: "weed the front bed") }
        let drop: Change = { clinic, chart in _ = try await clinic.dropGoal(chart, goal: try chart.goal("1"), reason: "knee surgery") }
        let review: Change = { clinic, chart in _ = try await clinic.reviewGoal(chart, goal: try chart.goal("1"), progress: .some, note: "twice this week") }
        let meet: Change = { clinic, chart in _ = try await clinic.meetGoal(chart, goal: try chart.goal("1"), note: "gardens daily") }

        let sign: Change = { clinic, chart in _ = try await clinic.signAgreement(chart) }
        let amend: Change = { clinic, chart in
            _ = try await clinic.amendAgreement(chart, agreement: try chart.agreement(nil), clauses: ["one-prescriber", "one-pharmacy"], reason: "pill counts instead")
        }
        let amendOther: Change = { clinic, chart in
            _ = try await clinic.amendAgreement(chart, agreement: try chart.agreement(nil), clauses: ["one-pharmacy"], reason: "simpler")
        }
        let end: Change = { clinic, chart in _ = try await clinic.endAgreement(chart, agreement: try chart.agreement(nil), reason: "moved away") }
        let renew: Change = { clinic, chart in
            _ = try await clinic.renewAgreement(chart, agreement: try chart.agreement(nil), renewOn: chart.today.adding(days: 200))
        }

        let taper: Change = { clinic, chart in
            let proposal = try clinic.proposeTaper(chart, medication: "oxycodone 10 mg q6h", ratePercent: 10, intervalDays: 30, start: start)
            _ = try await clinic.startTaper(chart, proposal, ratePercent: 10, intervalDays: 30)
        }
        let pause: Change = { clinic, chart in
            _ = try await clinic.pauseTaper(chart, plan: try chart.taperPlan(nil), on: start.adding(days: 28), reason: "withdrawal symptoms")
        }
        let adjust: Change = { clinic, chart in
            let plan = try chart.taperPlan(nil)
            let adjustment = try clinic.proposeAdjustment(chart, plan: plan, ratePercent: 5, intervalDays: 30, effectiveOn: start.adding(days: 56), reason: "slower")
            _ = try await clinic.adjustTaper(chart, plan: plan, adjustment, ratePercent: 5, intervalDays: 30, reason: "slower")
        }
        let adjustOther: Change = { clinic, chart in
            let plan = try chart.taperPlan(nil)
            let adjustment = try clinic.proposeAdjustment(chart, plan: plan, ratePercent: 5, intervalDays: 60, effectiveOn: start.adding(days: 40), reason: "holidays")
            _ = try await clinic.adjustTaper(chart, plan: plan, adjustment, ratePercent: 5, intervalDays: 60, reason: "holidays")
        }
        let complete: Change = { clinic, chart in
            _ = try await clinic.completeTaper(chart, plan: try chart.taperPlan(nil), on: chart.today, note: "stopped with the patient")
        }

        let medications: Change = { clinic, chart in _ = try await clinic.recordMedications(chart, ["oxycodone 10 mg q6h"]) }
        let lower: Change = { clinic, chart in _ = try await clinic.recordMedications(chart, ["oxycodone 5 mg q6h"]) }
        let added: Change = { clinic, chart in _ = try await clinic.recordMedications(chart, ["oxycodone 10 mg q6h", "gabapentin 300 mg tid"]) }

        let none: Change = { _, _ in }
        let rename: Change = { clinic, chart in _ = try await clinic.correctDemographics(chart, name: "Jane A. Park", reason: "middle initial") }
        let renameOther: Change = { clinic, chart in _ = try await clinic.correctDemographics(chart, name: "Janet Park", reason: "legal name") }
        let newMRN: Change = { clinic, chart in _ = try await clinic.correctDemographics(chart, mrn: "J2", reason: "merged charts") }

        let goalKey: @Sendable (PatientRecord) -> EntityKey = { .goal($0.goals[0].id) }
        let agreementKey: @Sendable (PatientRecord) -> EntityKey = { .agreement($0.agreements[0].id) }
        let taperKey: @Sendable (PatientRecord) -> EntityKey = { .taperPlan($0.taperPlans[0].id) }
        return [
            Pair(kind: "demographics", first: ("correct name", rename), second: ("correct name", renameOther), setUp: none, entity: { _ in .demographics }),
            Pair(kind: "demographics", first: ("correct name", rename), second: ("correct MRN", newMRN), setUp: none, entity: { _ in .demographics }),
            Pair(kind: "goal", first: ("revise", revise), second: ("drop", drop), setUp: goal, entity: goalKey),
            Pair(kind: "goal", first: ("revise", revise), second: ("revise", reviseOther), setUp: goal, entity: goalKey),
            Pair(kind: "goal", first: ("review", review), second: ("meet", meet), setUp: goal, entity: goalKey),
            Pair(kind: "goal", first: ("meet", meet), second: ("drop", drop), setUp: goal, entity: goalKey),
            Pair(kind: "agreement", first: ("amend", amend), second: ("end", end), setUp: sign, entity: agreementKey),
            Pair(kind: "agreement", first: ("amend", amend), second: ("amend", amendOther), setUp: sign, entity: agreementKey),
            Pair(kind: "agreement", first: ("renew", renew), second: ("end", end), setUp: sign, entity: agreementKey),
            Pair(kind: "agreement", first: ("amend", amend), second: ("renew", renew), setUp: sign, entity: agreementKey),
            Pair(kind: "taper plan", first: ("pause", pause), second: ("adjust", adjust), setUp: taper, entity: taperKey),
            Pair(kind: "taper plan", first: ("adjust", adjust), second: ("adjust", adjustOther), setUp: taper, entity: taperKey),
            Pair(kind: "taper plan", first: ("pause", pause), second: ("complete", complete), setUp: taper, entity: taperKey),
            Pair(kind: "taper plan", first: ("adjust", adjust), second: ("complete", complete), setUp: taper, entity: taperKey),
            Pair(kind: "medication list", first: ("change", lower), second: ("change", added), setUp: medications, entity: { _ in .medications }),
        ]
    }()

    /// What a clinician sees of the part: its snapshot without the history, which the resolution extends.
    static func outcome(_ snapshot: EntitySnapshot) -> EntitySnapshot {
        var outcome = snapshot
        outcome.goal?.history = []
        outcome.goal?.latestReview?.stamp.event = EventID(hex: String(repeating: "0", count: 64))!
        outcome.agreement?.versions = []
        outcome.taperPlan?.history = []
        return outcome
    }

    @Test("kept either way, resolved at either site", arguments: pairs, [0, 1])
    func pair(_ pair: Pair, keep: Int) async throws {
        let north = Clinic(store: try EventStore.inMemory(site: "north", clinicianName: "Dr. North"))
        let south = Clinic(store: try EventStore.inMemory(site: "south", clinicianName: "Dr. South"))
        let patient = try await north.registerPatient(name: "Jane Park", born: LocalDate("1960-01-01")!, mrn: "J1").patient
        try await pair.setUp(north, try north.chart(patient))
        try await exchange(patient, north, south)
        let entity = pair.entity(try north.chart(patient).record)
        let base = Self.outcome(EntitySnapshot(try north.chart(patient).record, entity))

        // Offline, each site changes the same part.
        try await pair.first.change(north, try north.chart(patient))
        try await pair.second.change(south, try south.chart(patient))
        let outcomes = [Self.outcome(EntitySnapshot(try north.chart(patient).record, entity)),
                        Self.outcome(EntitySnapshot(try south.chart(patient).record, entity))]
        #expect(outcomes[0] != outcomes[1], "the two changes must differ for the test to mean anything")
        try await exchange(patient, north, south)

        // Open: both sites show the same conflict, each side as recorded, and a record with neither side's change.
        for clinic in [north, south] {
            let record = try clinic.chart(patient).record
            let conflict = try #require(record.conflicts.first)
            #expect(record.conflicts.count == 1 && conflict.entity == entity)
            #expect(!conflict.label.contains(entity.description), "named as a clinician knows it: \(conflict.label)")
            #expect(Set(conflict.sides.map(\.stamp.site)) == ["north", "south"])
            for side in conflict.sides {
                #expect(Self.outcome(side.state) == outcomes[side.stamp.site == "north" ? 0 : 1], "side \(side.stamp.site)")
            }
            #expect(Self.outcome(EntitySnapshot(record, entity)) == base, "while open the record holds what both sides share")
        }
        #expect(try north.chart(patient).record == (try south.chart(patient).record))
        // No change but a resolution while open.
        do {
            try await pair.first.change(north, try north.chart(patient))
            Issue.record("a change to a part in conflict was recorded")
        } catch let error as ClinicError {
            #expect([.inConflict, .notAllowed].contains(error.code), "\(error.message)")
        }

        // Resolved at the site whose side is not kept, then at the other, to show either site can settle it.
        let resolver = keep == 0 ? south : north
        let chart = try resolver.chart(patient)
        let keptSide = try #require(chart.record.conflicts.first?.sides.first { $0.stamp.site == (keep == 0 ? "north" : "south") })
        _ = try await resolver.resolveConflict(chart, keep: try resolver.entry(chart, keptSide.event.hex), reason: "checked with the patient")
        try await exchange(patient, north, south)
        for clinic in [north, south] {
            let record = try clinic.chart(patient).record
            #expect(record.conflicts.isEmpty)
            #expect(Self.outcome(EntitySnapshot(record, entity)) == outcomes[keep], "exactly the kept side's outcome")
            #expect(record.resolutions.count == 1 && record.resolutions[0].kept.event == keptSide.event)
            let snapshot = EntitySnapshot(record, entity)
            let history = snapshot.goal?.history.map(\.change) ?? snapshot.agreement?.versions.map(\.change) ?? snapshot.taperPlan?.history.map(\.change)
            if let history { #expect(history.last == "conflict resolved") }
            let timeline = Timeline.entries(try clinic.store.events(patient: patient))
            #expect(timeline.filter { $0.status == "set-aside" }.count == 1)
        }
        #expect(try north.chart(patient).record == (try south.chart(patient).record))
    }

    @Test("two sites resolving the same conflict differently make a new conflict between the resolutions, settled like any other")
    func concurrentResolutions() async throws {
        let north = Clinic(store: try EventStore.inMemory(site: "north", clinicianName: "Dr. North"))
        let south = Clinic(store: try EventStore.inMemory(site: "south", clinicianName: "Dr. South"))
        let patient = try await north.registerPatient(name: "Jane Park", born: LocalDate("1960-01-01")!, mrn: "J1").patient
        _ = try await north.signAgreement(try north.chart(patient))
        try await exchange(patient, north, south)
        _ = try await north.amendAgreement(try north.chart(patient), agreement: try north.chart(patient).agreement(nil), clauses: ["one-pharmacy"], reason: "simpler")
        _ = try await south.endAgreement(try south.chart(patient), agreement: try south.chart(patient).agreement(nil), reason: "moved away")
        try await exchange(patient, north, south)
        let sides = try north.chart(patient).record.conflicts[0].sides
        let amendment = try #require(sides.first { $0.stamp.site == "north" }).event
        let ending = try #require(sides.first { $0.stamp.site == "south" }).event
        // Each site keeps its own side before hearing of the other's resolution.
        _ = try await north.resolveConflict(try north.chart(patient), keep: try north.entry(try north.chart(patient), amendment.hex))
        _ = try await south.resolveConflict(try south.chart(patient), keep: try south.entry(try south.chart(patient), ending.hex))
        try await exchange(patient, north, south)
        let open = try north.chart(patient).record.conflicts
        #expect(open.count == 1 && open[0].sides.allSatisfy { $0.change.hasPrefix("Conflict on the agreement resolved") })
        let northResolution = try #require(open[0].sides.first { $0.stamp.site == "north" })
        #expect(northResolution.state.agreement?.status == .active && northResolution.state.agreement?.clauses == ["one-pharmacy"])
        _ = try await south.resolveConflict(try south.chart(patient), keep: try south.entry(try south.chart(patient), northResolution.event.hex))
        try await exchange(patient, north, south)
        for clinic in [north, south] {
            let agreement = try clinic.chart(patient).record.agreements[0]
            #expect(try clinic.chart(patient).record.conflicts.isEmpty)
            #expect(agreement.status == .active && agreement.clauses == ["one-pharmacy"])
        }
    }

    /// Both sites end up holding every event of the patient, as a sync through the server leaves them.
    func exchange(_ patient: String, _ sites: Clinic...) async throws {
        var all: [Event] = []
        for site in sites { all += try site.store.events(patient: patient) }
        for site in sites { try await site.store.syncState.importPulled(all, cursor: 0) }
    }
}
