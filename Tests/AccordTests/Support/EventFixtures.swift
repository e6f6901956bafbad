import AccordCore
import Foundation

/// Builds events directly (without a store), for tests of the core.
enum EventFixtures {
    static let authorA = Author(id: "0b5e7c1e-52a4-4e39-9a55-2c5d9e1a0001", name: "Dr. Ana Reyes")
    static let authorB = Author(id: "0b5e7c1e-52a4-4e39-9a55-2c5d9e1a0002", name: "Dr. Ben Okafor")
    static let uuidZero = "00000000-0000-4000-8000-000000000000"

    static func event(patient: String, site: String = "north", author: Author = authorA, wall: Int64, logical: Int32 = 0,
                      parents: [EventID] = [], _ payload: EventPayload) -> Event {
        try! Event(EventEnvelope(patient: patient, author: author, site: site, hlc: HLCTimestamp(wall: wall, logical: logical),
                                 recorded: Timestamp.iso8601(epochMilliseconds: wall), parents: parents, payload: payload))
    }

    static func uuid<G: RandomNumberGenerator>(_ rng: inout G) -> String {
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }

    /// A random but plausible history for one patient, written at up to three sites whose clocks interleave,
    /// including revisions of shared entities, concurrent edits, corrections and entries in error.
    static func randomHistory<G: RandomNumberGenerator>(_ rng: inout G, events count: Int) -> [Event] {
        let patient = uuid(&rng)
        let sites = ["north", "south", "east"]
        var wall: Int64 = 1_790_000_000_000
        let registration = event(patient: patient, wall: wall, .patientRegistered(PatientRegistered(name: "Pat \(Int.random(in: 1...999, using: &rng))", born: LocalDate("1960-05-17")!, mrn: "M\(Int.random(in: 1...99999, using: &rng))")))
        var events = [registration]
        var goals: [String] = [], agreements: [String] = [], plans: [String] = []
        for _ in 0..<count {
            // Clocks advance unevenly and sometimes collide, so order falls back on site and id.
            wall += Int64.random(in: 0...3, using: &rng)
            let site = sites.randomElement(using: &rng)!
            let author = Bool.random(using: &rng) ? authorA : authorB
            let logical = Int32.random(in: 0...2, using: &rng)
            let parentPool = events.suffix(4).map(\.id)
            var parents = Array(parentPool.shuffled(using: &rng).prefix(Int.random(in: 0...2, using: &rng)))
            let payload: EventPayload
            switch Int.random(in: 0..<18, using: &rng) {
            case 16 where Projection.fold(events)?.conflicts.isEmpty == false:
                // Settle an open conflict, keeping one side at random.
                let conflict = Projection.fold(events)!.conflicts.randomElement(using: &rng)!
                let kept = conflict.heads.randomElement(using: &rng)!
                payload = .conflictResolved(ConflictResolved(entity: conflict.entity, kept: kept, setAside: conflict.heads.filter { $0 != kept }))
                parents = conflict.heads
            case 0:
                let goal = uuid(&rng); goals.append(goal)
                payload = .goalSet(GoalSet(goal: goal, description: "walk \(Int.random(in: 1...20, using: &rng)) blocks"))
            case 1 where !goals.isEmpty:
                payload = .goalRevised(GoalRevised(goal: goals.randomElement(using: &rng)!, description: "walk to the park"))
            case 2 where !goals.isEmpty:
                payload = .goalReviewed(GoalReviewed(goal: goals.randomElement(using: &rng)!, progress: GoalProgress.allCases.randomElement(using: &rng)!))
            case 3 where !goals.isEmpty:
                payload = Bool.random(using: &rng) ? .goalMet(GoalMet(goal: goals.randomElement(using: &rng)!))
                    : .goalDropped(GoalDropped(goal: goals.randomElement(using: &rng)!, reason: "no longer relevant"))
            case 4:
                payload = .consentRecorded(ConsentRecorded(items: ConsentItem.all.map { ConsentItemRecord(key: $0.id, discussed: true) },
                                                           naloxone: NaloxoneStatus.allCases.randomElement(using: &rng)!,
                                                           decision: ConsentDecision.allCases.randomElement(using: &rng)!))
            case 5:
                let agreement = uuid(&rng); agreements.append(agreement)
                payload = .agreementSigned(AgreementSigned(agreement: agreement, clauses: Array(AgreementClause.defaultKeys.prefix(Int.random(in: 1...11, using: &rng))),
                                                           effectiveOn: LocalDate("2026-01-01")!, renewOn: LocalDate("2027-01-01")!, method: .inPerson))
            case 6 where !agreements.isEmpty:
                let agreement = agreements.randomElement(using: &rng)!
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: payload = .agreementAmended(AgreementAmended(agreement: agreement, clauses: ["one-pharmacy"], reason: "pharmacy moved", method: .verbal))
                case 1: payload = .agreementRenewed(AgreementRenewed(agreement: agreement, renewOn: LocalDate("2028-01-01")!, method: .paper))
                default: payload = .agreementEnded(AgreementEnded(agreement: agreement, reason: "moved away"))
                }
            case 7:
                let plan = uuid(&rng); plans.append(plan)
                payload = .taperStarted(TaperStarted(plan: plan, medication: "oxycodone 10 mg q6h", ratePercent: 10, intervalDays: 30, basis: .current,
                                                     steps: (0..<5).map { TaperStep(on: LocalDate("2026-02-01")!.adding(days: 30 * $0), dailyDose: 60 - 6 * Double($0), unit: "mg") }))
            case 8 where !plans.isEmpty:
                let plan = plans.randomElement(using: &rng)!
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: payload = .taperPaused(TaperPaused(plan: plan, on: LocalDate("2026-03-01")!, reason: "withdrawal"))
                case 1: payload = .taperResumed(TaperResumed(plan: plan, on: LocalDate("2026-03-20")!))
                case 2: payload = .taperAdjusted(TaperAdjusted(plan: plan, effectiveOn: LocalDate("2026-04-01")!, ratePercent: 5, intervalDays: 30,
                                                               steps: [TaperStep(on: LocalDate("2026-04-01")!, dailyDose: 40, unit: "mg")], reason: "slower"))
                default: payload = .taperCompleted(TaperCompleted(plan: plan, on: LocalDate("2026-09-01")!))
                }
            case 9:
                payload = .checkinRecorded(CheckinRecorded(peg: (0..<3).map { _ in Int.random(in: 0...10, using: &rng) },
                                                           phq2: (0..<2).map { _ in Int.random(in: 0...3, using: &rng) },
                                                           urineDrugTest: Bool.random(using: &rng) ? .unexpected : nil,
                                                           on: Bool.random(using: &rng) ? LocalDate("2026-04-01")!.adding(days: Int.random(in: 0...9, using: &rng)) : nil))
            case 10:
                payload = .medicationsChanged(MedicationsChanged(medications: ["morphine ER \(Int.random(in: 1...6, using: &rng) * 10) mg bid"]))
            case 17:
                // Monitoring: a test, a PDMP check, or the conversation about one recorded earlier (built on it).
                let findings = events.filter { [.urineDrugTestRecorded, .pdmpChecked].contains($0.envelope.type) }
                if let target = findings.randomElement(using: &rng), Bool.random(using: &rng) {
                    payload = .findingDiscussed(FindingDiscussed(target: target.id, on: LocalDate("2026-05-02")!, note: "talked it through"))
                    parents = [target.id]
                } else if Bool.random(using: &rng) {
                    payload = .urineDrugTestRecorded(UrineDrugTestRecorded(on: LocalDate("2026-05-01")!.adding(days: Int.random(in: 0...3, using: &rng)),
                                                                           result: UrineDrugTestResult.allCases.randomElement(using: &rng)!))
                } else {
                    payload = .pdmpChecked(PDMPChecked(on: LocalDate("2026-05-01")!, findings: PDMPFindings.allCases.randomElement(using: &rng)!, detail: "checked"))
                }
            case 15:
                let factor = RiskFactor.allCases.randomElement(using: &rng)!
                payload = .riskFactorsRecorded(RiskFactorsRecorded(present: [factor], onOpioidsSince: LocalDate("2020-05-01")))
            case 14:
                payload = .patientShared(PatientShared(site: sites.randomElement(using: &rng)!, reason: "care moved"))
            case 11:
                payload = .demographicsCorrected(DemographicsCorrected(name: "Pat Renamed \(Int.random(in: 1...9, using: &rng))", reason: "typo"))
            case 12 where events.count > 2:
                let target = events.dropFirst().randomElement(using: &rng)!
                if case .entryCorrected = target.envelope.payload { fallthrough }
                if case .entryEnteredInError = target.envelope.payload { fallthrough }
                payload = .entryEnteredInError(EntryEnteredInError(target: target.id, reason: "wrong patient"))
            case 13 where events.count > 2:
                let target = events.dropFirst().randomElement(using: &rng)!
                if case .noteAdded = target.envelope.payload {
                    payload = .entryCorrected(EntryCorrected(target: target.id, reason: "typo", replacement: .noteAdded(NoteAdded(text: "corrected note"))))
                } else {
                    fallthrough
                }
            default:
                payload = .noteAdded(NoteAdded(text: "note \(Int.random(in: 1...1000, using: &rng))"))
            }
            events.append(event(patient: patient, site: site, author: author, wall: wall, logical: logical, parents: parents, payload))
        }
        return events
    }
}
