import AccordCore
import Foundation

/// A fixed event log for the export tests: two sites and two clinicians, every resource the FHIR export writes, an
/// ended and a live agreement, a paused taper. Same bytes every run, so its export can be compared with a reviewed file.
enum ExportFixture {
    static let patient = "5f0c2c8e-1a0b-4c4d-8e9f-00000000aa01"
    static let walkGoal = "5f0c2c8e-1a0b-4c4d-8e9f-00000000b001"
    static let cookGoal = "5f0c2c8e-1a0b-4c4d-8e9f-00000000b002"
    static let oldAgreement = "5f0c2c8e-1a0b-4c4d-8e9f-00000000c001"
    static let agreement = "5f0c2c8e-1a0b-4c4d-8e9f-00000000c002"
    static let taper = "5f0c2c8e-1a0b-4c4d-8e9f-00000000d001"
    /// 2026-09-22T08:00:00Z; each event is an hour after the one before.
    static let start: Int64 = 1_790_064_000_000
    static let exportedAt = "2026-11-23T12:00:00.000Z"

    static func events() -> [Event] {
        var events: [Event] = []
        var hour: Int64 = 0
        @discardableResult
        func add(_ payload: EventPayload, site: String = "north-clinic", author: Author = EventFixtures.authorA, parents: [Event] = []) -> Event {
            let parentIDs = parents.isEmpty ? events.prefix(1).map(\.id) : parents.map(\.id)
            let event = EventFixtures.event(patient: patient, site: site, author: author, wall: start + hour * 3_600_000,
                                            parents: parentIDs, payload)
            hour += 1
            events.append(event)
            return event
        }
        add(.patientRegistered(PatientRegistered(name: "Maria Lopez", born: LocalDate("1961-03-02")!, mrn: "12345")))
        let items = ConsentItem.all.map { item in
            item.id == "storage" ? ConsentItemRecord(key: item.id, discussed: false, reason: "patient had to leave; next visit")
                                 : ConsentItemRecord(key: item.id, discussed: true)
        }
        add(.consentRecorded(ConsentRecorded(items: items, naloxone: .prescribed, questions: "Can I still drive?", decision: .accepts)))
        let walk = add(.goalSet(GoalSet(goal: walkGoal, description: "Walk to the mailbox and back every day",
                                        measure: "PEG score under 5", targetDate: LocalDate("2027-03-01"))))
        let cook = add(.goalSet(GoalSet(goal: cookGoal, description: "Cook dinner twice a week")))
        add(.goalReviewed(GoalReviewed(goal: walkGoal, progress: .some, note: "halfway down the street")), parents: [walk])
        add(.goalMet(GoalMet(goal: cookGoal, note: "cooking three times a week")), site: "south-clinic", author: EventFixtures.authorB, parents: [cook])
        let old = add(.agreementSigned(AgreementSigned(agreement: oldAgreement, clauses: ["one-prescriber", "one-pharmacy"],
                                                       effectiveOn: LocalDate("2025-09-01")!, renewOn: LocalDate("2026-09-01")!, method: .paper)))
        add(.agreementEnded(AgreementEnded(agreement: oldAgreement, reason: "replaced by the agreement signed today")), parents: [old])
        let signed = add(.agreementSigned(AgreementSigned(agreement: agreement, clauses: AgreementClause.defaultKeys,
                                                          effectiveOn: LocalDate("2026-09-21")!, renewOn: LocalDate("2027-09-21")!, method: .inPerson)))
        let amended = add(.agreementAmended(AgreementAmended(agreement: agreement, clauses: ["one-prescriber", "one-pharmacy", "safe-storage", "no-sharing", "if-not-kept"],
                                                             reason: "shorter agreement the patient could follow", method: .verbal)), parents: [signed])
        add(.agreementRenewed(AgreementRenewed(agreement: agreement, renewOn: LocalDate("2028-09-21")!, method: .paper)), parents: [amended])
        let steps = [
            TaperStep(on: LocalDate("2026-10-01")!, dailyDose: 40, unit: "mg"),
            TaperStep(on: LocalDate("2026-10-29")!, dailyDose: 35, unit: "mg"),
            TaperStep(on: LocalDate("2026-11-26")!, dailyDose: 30, unit: "mg"),
            TaperStep(on: LocalDate("2026-12-24")!, dailyDose: 2.5, unit: "mg", instruction: "5 mg every other day"),
        ]
        let taperStarted = add(.taperStarted(TaperStarted(plan: taper, medication: "oxycodone 10 mg q6h", ratePercent: 10, intervalDays: 28,
                                                          basis: .current, durationOfUse: .longTerm, steps: steps, note: "agreed pace")))
        add(.taperPaused(TaperPaused(plan: taper, on: LocalDate("2026-11-20")!, reason: "withdrawal at night")), parents: [taperStarted])
        add(.checkinRecorded(CheckinRecorded(peg: [7, 6, 5], phq2: [1, 2], cows: [1, 0, 1, 2, 1, 0, 0, 1, 1, 0, 3], currentDose: "oxycodone 35 mg a day",
                                             sleep: "wakes twice a night", goals: [GoalCheck(goal: walkGoal, progress: .some)],
                                             naloxoneOnHand: true, pdmpChecked: true, urineDrugTest: .expected, readiness: .preparation,
                                             nextVisit: LocalDate("2026-12-20"))), site: "south-clinic", author: EventFixtures.authorB)
        add(.patientShared(PatientShared(site: "south-clinic", reason: "pain clinic follow-up")))
        let test = add(.urineDrugTestRecorded(UrineDrugTestRecorded(on: LocalDate("2026-11-18")!, result: .unexpected, detail: "no oxycodone found")))
        add(.findingDiscussed(FindingDiscussed(target: test.id, on: LocalDate("2026-11-20")!, note: "ran out early; agreed to pill counts")), parents: [test])
        add(.urineDrugTestRecorded(UrineDrugTestRecorded(on: LocalDate("2026-11-20")!, result: .pending)))
        add(.pdmpChecked(PDMPChecked(on: LocalDate("2026-11-20")!, findings: .concerning, detail: "a second prescriber in October", discussed: true)))
        return events
    }
}
