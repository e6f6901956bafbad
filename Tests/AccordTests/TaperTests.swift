import AccordCore
import Testing

@Suite("Taper schedules")
struct TaperTests {
    let start = LocalDate("2027-01-04")!

    func propose(_ text: String, rate: Double, every: Int, basis: TaperBasis = .current) throws -> [TaperStep] {
        try TaperScheduler.propose(try MedicationReader.read(text), ratePercent: rate, intervalDays: every, basis: basis, start: start)
    }

    @Test("steps fall, round to real strengths, and end by lengthening the interval at the smallest strength")
    func shape() throws {
        let steps = try propose("oxycodone 10 mg q6h", rate: 10, every: 30)
        let doses = steps.map(\.dailyDose)
        #expect(doses == [35, 30, 25, 20, 15, 10, 5, 2.5, 0])
        #expect(zip(doses, doses.dropFirst()).allSatisfy { $0 > $1 })
        #expect(doses.dropLast(2).allSatisfy { $0.truncatingRemainder(dividingBy: 5) == 0 })
        #expect(steps[steps.count - 2].instruction == "5 mg every other day")
        #expect(steps.last?.instruction == "stop")
        #expect(steps.first?.on == start)
        #expect(zip(steps, steps.dropFirst()).allSatisfy { $0.on.days(until: $1.on) >= 30 })
    }

    @Test("where strengths force a bigger cut than planned, the wait before it grows so the pace holds")
    func waitsLonger() throws {
        let steps = try propose("oxycodone 10 mg q6h", rate: 10, every: 30)
        // 20 → 15 mg is a 25% cut: at 10% a month it needs 75 days after the previous step.
        let index = try #require(steps.firstIndex { $0.dailyDose == 15 })
        #expect(steps[index - 1].on.days(until: steps[index].on) == 75)
        #expect(TaperPace.check(steps: steps, startingDose: 40, duration: .longTerm, smallestUnit: 5, startedOn: start.adding(days: -30)) == nil)
    }

    @Test("with --of original, cuts are a share of the starting dose until about 30% remains, then of what remains")
    func originalBasis() throws {
        let steps = try propose("morphine ER 100 mg bid", rate: 10, every: 7, basis: .original)
        let doses = steps.map(\.dailyDose)
        #expect(Array(doses.prefix(5)) == [180, 165, 150, 135, 120])
        #expect(steps.allSatisfy { step in step.dailyDose == 0 || step.dailyDose.truncatingRemainder(dividingBy: 7.5) == 0 })
    }

    @Test("a fentanyl patch steps through patch strengths and ends by removing the last patch")
    func patch() throws {
        let steps = try propose("fentanyl 50 mcg/hr patch", rate: 25, every: 30)
        #expect(steps.map(\.dailyDose) == [37.5, 25, 12.5, 0])
        #expect(steps.allSatisfy { $0.unit == "mcg/hr" })
        #expect(steps.last?.instruction == "remove the last patch")
    }

    @Test("a pace faster than the guide for the duration of use is flagged, with the source")
    func tooFast() throws {
        let weekly = try propose("oxycodone 10 mg q6h", rate: 25, every: 7)
        let longTerm = try #require(TaperPace.check(steps: weekly, startingDose: 40, duration: .longTerm, smallestUnit: 5, startedOn: start.adding(days: -7)))
        #expect(longTerm.key == "taper-too-fast")
        #expect(longTerm.source.contains("HHS 2019"))
        let slowWeekly = try propose("morphine ER 100 mg bid", rate: 10, every: 7, basis: .original)
        #expect(TaperPace.check(steps: slowWeekly, startingDose: 200, duration: .weeksToMonths, smallestUnit: 15, startedOn: start.adding(days: -7)) == nil)
        #expect(TaperPace.check(steps: slowWeekly, startingDose: 200, duration: .longTerm, smallestUnit: 15, startedOn: start.adding(days: -7)) != nil)
    }

    @Test("bad requests are refused with the reason", arguments: [
        ("buprenorphine 8 mg daily", 10.0, 30, "not an opioid Accord can taper"),
        ("alprazolam 1 mg bid", 10.0, 30, "not an opioid Accord can taper"),
        ("oxycodone 10 mg q6h", 0.0, 30, "rate"),
        ("oxycodone 10 mg q6h", 80.0, 30, "rate"),
        ("oxycodone 10 mg q6h", 10.0, 0, "interval"),
        ("oxycodone 10 mg q6h", 0.1, 30, "more than 10 years"),
    ] as [(String, Double, Int, String)])
    func refused(text: String, rate: Double, every: Int, message: String) throws {
        do {
            _ = try propose(text, rate: rate, every: every)
            Issue.record("accepted \(text) at \(rate)% every \(every) days")
        } catch let error as RuleViolation {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test("pause, resume and adjust: the schedule always reflects the log")
    func lifecycle() throws {
        let patient = "5f0c7a52-1b7e-4c59-8d0e-5e2f4a1b9c01", plan = "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
        let steps = try propose("oxycodone 10 mg q6h", rate: 10, every: 30)
        let r = EventFixtures.event(patient: patient, wall: 100, .patientRegistered(PatientRegistered(name: "T", born: LocalDate("1950-01-01")!)))
        let started = EventFixtures.event(patient: patient, wall: 200, .taperStarted(TaperStarted(plan: plan, medication: "oxycodone 10 mg q6h", ratePercent: 10, intervalDays: 30, basis: .current, durationOfUse: .longTerm, steps: steps)))
        let pause = EventFixtures.event(patient: patient, wall: 300, parents: [started.id], .taperPaused(TaperPaused(plan: plan, on: steps[1].on.adding(days: 5), reason: "withdrawal")))
        let resume = EventFixtures.event(patient: patient, wall: 400, parents: [pause.id], .taperResumed(TaperResumed(plan: plan, on: steps[1].on.adding(days: 19))))
        let record = try #require(Projection.fold([r, started, pause, resume]))
        let moved = record.taperPlans[0].steps
        #expect(moved[1].on == steps[1].on)  // reached before the pause: unchanged
        #expect(moved[2].on == steps[2].on.adding(days: 14))  // later steps move by the 14-day pause
        #expect(moved.last?.on == steps.last?.on.adding(days: 14))
        let newSteps = [TaperStep(on: moved[2].on, dailyDose: 30, unit: "mg"), TaperStep(on: moved[2].on.adding(days: 60), dailyDose: 27.5, unit: "mg")]
        let adjust = EventFixtures.event(patient: patient, wall: 500, parents: [resume.id], .taperAdjusted(TaperAdjusted(plan: plan, effectiveOn: moved[2].on, ratePercent: 5, intervalDays: 60, steps: newSteps, reason: "slower")))
        let adjusted = try #require(Projection.fold([r, started, pause, resume, adjust])).taperPlans[0]
        #expect(adjusted.steps.map(\.dailyDose) == [35, 30, 30, 27.5])
        #expect(adjusted.ratePercent == 5)
        #expect(TaperScheduler.dose(on: moved[2].on.adding(days: 1), steps: adjusted.steps, before: 40) == 30)
        #expect(adjusted.history.map(\.change) == ["started", "paused", "resumed", "adjusted"])
    }
}
