import AccordCore
import AccordSchema
import AccordStore
import Foundation
import Testing

@Suite("Event JSON Schemas")
struct SchemaValidationTests {
    @Test("every event type has a schema shipped with the code")
    func everyTypeHasASchema() throws {
        for type in EventType.allCases {
            let data = try SchemaResources.eventSchema(named: type.rawValue)
            let schema = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(schema["title"] as? String == type.rawValue)
        }
    }

    @Test("every kind of event the store writes validates against its schema")
    func storeWrittenEventsValidate() throws {
        let folder = TemporaryDirectory("schema")
        defer { folder.remove() }
        let store = try EventStore.create(at: folder.path("home"), site: "north", clinicianName: "Dr. Ana Reyes")
        let written = try Self.everyKindWritten(by: store, seed: 99, histories: 40)
        let types = Set(written.map(\.envelope.type))
        #expect(types == Set(EventType.allCases), "missing: \(Set(EventType.allCases).subtracting(types))")
        try SchemaValidator.expectValid(written.map(\.bytes))
    }

    @Test("the validator does reject an event that breaks its schema")
    func validatorRejects() throws {
        let event = EventFixtures.event(patient: "5f0c7a52-1b7e-4c59-8d0e-5e2f4a1b9c01", wall: 10, .noteAdded(NoteAdded(text: "x")))
        let broken = Data(String(decoding: event.bytes, as: UTF8.self).replacingOccurrences(of: #""text":"x""#, with: #""text":"x","extra":1"#).utf8)
        let result = try SchemaValidator.validate([broken])
        #expect(result.status != 0)
        #expect(result.stdout.contains("1 failures"))
    }

    @Test("the check-in schema allows each COWS item only the scores of the published scale")
    func cowsSchema() throws {
        let event = EventFixtures.event(patient: "5f0c7a52-1b7e-4c59-8d0e-5e2f4a1b9c01", wall: 10, .checkinRecorded(CheckinRecorded(cows: [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3])))
        let text = String(decoding: event.bytes, as: UTF8.self)
        #expect(try SchemaValidator.validate([event.bytes]).status == 0)
        let pulseThree = Data(text.replacingOccurrences(of: #""cows":[1,"#, with: #""cows":[3,"#).utf8)
        let goosefleshFour = Data(text.replacingOccurrences(of: #",0,3]"#, with: #",0,4]"#).utf8)
        for broken in [pulseThree, goosefleshFour] {
            #expect(broken != event.bytes)
            #expect(try SchemaValidator.validate([broken]).status != 0)
        }
    }

    /// Events of every kind with their optional fields, as `store` writes them: random histories (which reach every
    /// type, with corrections and concurrent parents) rewritten through the store, every optional field, and a
    /// discussed finding.
    static func everyKindWritten(by store: EventStore, seed: UInt64, histories: Int) throws -> [Event] {
        var rng = SeededGenerator(seed: seed)
        var written: [Event] = []
        for _ in 0..<histories {
            let history = EventFixtures.randomHistory(&rng, events: 60)
            let drafts = history.map { EventDraft(patient: $0.envelope.patient, payload: $0.envelope.payload, parents: $0.envelope.parents) }
            written += try store.append(drafts)
        }
        written += try store.append(everyOptionalField(patient: written[0].envelope.patient))
        let pdmp = try #require(written.last)
        written += try store.append([EventDraft(patient: pdmp.envelope.patient, payload: .findingDiscussed(FindingDiscussed(
            target: pdmp.id, on: LocalDate("2026-11-21")!, note: "the other prescriber was a dentist")), parents: [pdmp.id])])
        return written
    }

    static func everyOptionalField(patient: String) -> [EventDraft] {
        let goal = "9a2e3c7d-0b4f-4a51-9c3e-1d2f3a4b5c6d"
        return [
            EventDraft(patient: patient, payload: .goalSet(GoalSet(goal: goal, description: "cook dinner", measure: "days a week", targetDate: LocalDate("2027-01-01")))),
            EventDraft(patient: patient, payload: .goalRevised(GoalRevised(goal: goal, description: "cook dinner twice a week", measure: "days", targetDate: LocalDate("2027-02-01"), reason: "more realistic"))),
            EventDraft(patient: patient, payload: .goalReviewed(GoalReviewed(goal: goal, progress: .some, note: "once last week"))),
            EventDraft(patient: patient, payload: .consentRecorded(ConsentRecorded(
                items: ConsentItem.all.map { ConsentItemRecord(key: $0.id, discussed: $0.id != "storage", reason: $0.id == "storage" ? "out of time" : nil) },
                naloxone: .onHand, questions: "Can I drive?", decision: .deferred, note: "will call back"))),
            EventDraft(patient: patient, payload: .checkinRecorded(CheckinRecorded(
                peg: [7, 6, 5], phq2: [1, 2], cows: [1, 0, 1, 2, 1, 0, 0, 1, 1, 0, 3], currentDose: "oxycodone 10 mg tid",
                sleep: "poor", mood: "low", goals: [GoalCheck(goal: goal, progress: .some, note: "walks daily")],
                sideEffects: "constipation", withdrawal: "none", selfHarmConcern: false, naloxoneOnHand: true, pdmpChecked: true, urineDrugTest: .expected,
                readiness: .preparation, nextVisit: LocalDate("2026-12-20"), note: "doing better"))),
            EventDraft(patient: patient, payload: .demographicsCorrected(DemographicsCorrected(name: "Jane Q. Doe", born: LocalDate("1961-04-03"), mrn: "X9", reason: "ID card"))),
            EventDraft(patient: patient, payload: .medicationsChanged(MedicationsChanged(medications: [], reason: "stopped all"))),
            EventDraft(patient: patient, payload: .taperStarted(TaperStarted(
                plan: "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", medication: "oxycodone 10 mg q6h", ratePercent: 10, intervalDays: 28,
                basis: .original, durationOfUse: .weeksToMonths, onOpioidsSince: LocalDate("2026-10-01"),
                steps: [TaperStep(on: LocalDate("2027-01-04")!, dailyDose: 35, unit: "mg"), TaperStep(on: LocalDate("2027-02-01")!, dailyDose: 2.5, unit: "mg", instruction: "5 mg every other day")],
                note: "agreed together"))),
            EventDraft(patient: patient, payload: .riskFactorsRecorded(RiskFactorsRecorded(
                present: [.overdoseHistory, .sleepDisorderedBreathing], absent: [.pregnancy], onOpioidsSince: LocalDate("2019-03-01"), note: "from the hospital letter"))),
            EventDraft(patient: patient, payload: .goalReviewed(GoalReviewed(goal: goal, progress: .most, note: "on paper", on: LocalDate("2026-11-20")))),
            EventDraft(patient: patient, payload: .checkinRecorded(CheckinRecorded(peg: [5, 5, 4], nextVisit: LocalDate("2026-12-20"), on: LocalDate("2026-11-20")))),
            EventDraft(patient: patient, payload: .medicationsChanged(MedicationsChanged(medications: ["tramadol 50 mg bid"], reason: "from the paper chart", on: LocalDate("2026-11-20")))),
            EventDraft(patient: patient, payload: .urineDrugTestRecorded(UrineDrugTestRecorded(on: LocalDate("2026-11-20")!, result: .unexpected, detail: "no tramadol found", discussed: true))),
            EventDraft(patient: patient, payload: .pdmpChecked(PDMPChecked(on: LocalDate("2026-11-20")!, findings: .concerning, detail: "a second prescriber", discussed: false))),
        ]
    }
}
