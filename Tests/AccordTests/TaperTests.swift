import AccordCore
import Testing

@Suite("Taper schedules")
struct TaperTests {
    let start = LocalDate("2027-01-04")!

    func propose(_ text: String, rate: Double, every: Int, basis: TaperBasis = .current) throws -> [TaperStep] {
        try TaperScheduler.propose(try MedicationReader.read(text), ratePercent: rate, intervalDays: every, basis: basis, start: start)
    }

    /// The plan's own pace rule, checked step by step, first and last included: no step cuts more than `rate` of
    /// its reference dose per `every` days of waiting, where the reference is the dose before the step (the
    /// starting dose with `.original` while more than 30% of it remains), never less than one smallest dose.
    func expectPaceKept(_ steps: [TaperStep], startingDose: Double, rate: Double, every: Int, basis: TaperBasis = .current,
                        smallest: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        var previous = startingDose
        var since = start.adding(days: -every)
        for (index, step) in steps.enumerated() {
            let cut = previous - step.dailyDose
            let reference = basis == .original && previous > startingDose * 0.3 + 1e-9 ? startingDose : max(previous, smallest)
            let allowed = rate / 100 * reference * Double(since.days(until: step.on)) / Double(every)
            #expect(cut <= allowed + 1e-6, "step \(index + 1): \(previous) → \(step.dailyDose) in \(since.days(until: step.on)) days cuts \(cut), pace allows \(allowed)", sourceLocation: sourceLocation)
            #expect(step.on >= start, sourceLocation: sourceLocation)
            previous = step.dailyDose
            since = step.on
        }
        #expect(steps.last?.dailyDose == 0, sourceLocation: sourceLocation)
    }

    @Test("oxycodone IR q6h steps down through doses that exist, keeps its pace at every step, and ends every other day then stop")
    func shape() throws {
        let steps = try propose("oxycodone 10 mg q6h", rate: 10, every: 30)
        let doses = steps.map(\.dailyDose)
        #expect(doses == [35, 30, 25, 20, 15, 10, 5, 2.5, 0])
        #expect(zip(doses, doses.dropFirst()).allSatisfy { $0 > $1 })
        #expect(steps[0].instruction == "4 doses a day: 10 mg + 10 mg + 10 mg + 5 mg")
        #expect(steps[3].instruction == "5 mg four times a day")
        #expect(steps[6].instruction == "5 mg once a day")
        #expect(steps[7].instruction == "5 mg every other day")
        #expect(steps.last?.instruction == "stop")
        expectPaceKept(steps, startingDose: 40, rate: 10, every: 30, smallest: 5)
        // 40 → 35 is 12.5%: at 10% a month the first step waits 38 days from when 40 mg began, not 30.
        #expect(start.adding(days: -30).days(until: steps[0].on) == 38)
        #expect(TaperPace.check(steps: steps, startingDose: 40, duration: .longTerm, smallestDose: 5, startedOn: start.adding(days: -30)) == nil)
    }

    @Test("the first step keeps the pace: morphine ER 30 mg bid at 10% a month waits before its 25% cut")
    func firstStep() throws {
        let steps = try propose("morphine ER 30 mg bid", rate: 10, every: 30)
        #expect(steps[0].dailyDose == 45)
        #expect(steps[0].instruction == "2 doses a day: 30 mg + 15 mg")
        // 15 of 60 mg is 2.5 times the planned 6 mg: 75 days from when 60 mg began.
        #expect(start.adding(days: -30).days(until: steps[0].on) == 75)
        expectPaceKept(steps, startingDose: 60, rate: 10, every: 30, smallest: 15)
    }

    @Test("extended-release tablets round to their own strengths and say when a switch of formulation is needed")
    func extendedRelease() throws {
        let steps = try propose("OxyContin 20 mg q12h", rate: 10, every: 30)
        // OxyContin has no 5 mg tablet: every dose named is 10 mg or more, made of its strengths, and adds up.
        #expect(steps.map(\.instruction) == [
            "2 doses a day: 20 mg + 15 mg", "15 mg twice a day", "2 doses a day: 15 mg + 10 mg", "10 mg twice a day", "15 mg once a day",
            "10 mg once a day; the smallest extended-release dose: going lower needs an immediate-release form, a switch for the clinician to decide",
            "10 mg every other day", "stop",
        ])
        #expect(steps.map(\.dailyDose) == [35, 30, 25, 20, 15, 10, 5, 0])
        let lastTablet = try #require(steps.dropLast(2).last)
        #expect(lastTablet.dailyDose == 10)
        #expect(lastTablet.instruction?.contains("immediate-release form") == true)
        expectPaceKept(steps, startingDose: 40, rate: 10, every: 30, smallest: 10)
    }

    @Test("with --of original, cuts are a share of the starting dose until about 30% remains, then of what remains")
    func originalBasis() throws {
        let steps = try propose("morphine ER 100 mg bid", rate: 10, every: 7, basis: .original)
        let doses = steps.map(\.dailyDose)
        // 10% of 200 mg is 20 mg a step: 180 (90 + 90), 160 (100 + 60), each dose a sum of real ER strengths.
        #expect(Array(doses.prefix(2)) == [180, 160])
        #expect(steps[1].instruction == "2 doses a day: 100 mg + 60 mg")
        expectPaceKept(steps, startingDose: 200, rate: 10, every: 7, basis: .original, smallest: 15)
    }

    @Test("a fentanyl patch steps through real patch strengths, never up, and ends by removing the last patch")
    func patch() throws {
        let steps = try propose("fentanyl 50 mcg/hr patch", rate: 25, every: 30)
        #expect(steps.map(\.dailyDose) == [37.5, 25, 12, 0])
        #expect(steps.allSatisfy { $0.unit == "mcg/hr" })
        #expect(steps.last?.instruction == "remove the last patch")
        expectPaceKept(steps, startingDose: 50, rate: 25, every: 30, smallest: 12)
        let small = try propose("fentanyl 12 mcg/hr patch q72h", rate: 10, every: 30)
        #expect(small.map(\.dailyDose) == [0], "12 mcg/hr must never taper up to 12.5")
        expectPaceKept(small, startingDose: 12, rate: 10, every: 30, smallest: 12)
    }

    @Test("every-other-day steps name a real dose, never a fraction of a tablet", arguments: [
        "hydromorphone 2 mg q4h", "oxycodone 5 mg tid", "morphine 15 mg q6h", "hydrocodone 5 mg q6h", "tapentadol 50 mg bid",
    ])
    func everyOtherDay(text: String) throws {
        let steps = try propose(text, rate: 10, every: 14)
        let line = try MedicationReader.read(text)
        let smallest = try #require(line.strengthsOfForm.first)
        let alternate = try #require(steps.first { $0.instruction?.contains("every other day") == true })
        #expect(alternate.instruction == "\(Timeline.formatScore(smallest)) mg every other day")
        expectPaceKept(steps, startingDose: line.dailyDose!, rate: 10, every: 14, smallest: smallest)
    }

    @Test("many formulations and paces keep the plan's pace step by step", arguments: [
        ("oxycodone 30 mg q4h", 10.0, 30), ("oxycodone 15 mg tid", 20.0, 14), ("morphine ER 60 mg bid", 10.0, 28),
        ("hydromorphone 4 mg q6h", 15.0, 7), ("tramadol 50 mg qid", 25.0, 14), ("oxymorphone ER 20 mg bid", 10.0, 30),
        ("tapentadol ER 150 mg bid", 10.0, 30), ("fentanyl 100 mcg/hr patch", 10.0, 30), ("codeine 30 mg q6h", 10.0, 7),
        ("oxycodone 5 mg/5 mL 10 mL q6h", 10.0, 14), ("methadone 10 mg tid", 5.0, 30), ("Percocet 10/325 mg q6h", 10.0, 7),
    ] as [(String, Double, Int)])
    func paceHolds(text: String, rate: Double, every: Int) throws {
        let line = try MedicationReader.read(text)
        let steps = try TaperScheduler.propose(line, ratePercent: rate, intervalDays: every, basis: .current, start: start)
        expectPaceKept(steps, startingDose: line.dailyDose!, rate: rate, every: every, smallest: TaperPlanning.smallestDose(line))
        #expect(zip(steps, steps.dropFirst()).allSatisfy { $0.dailyDose > $1.dailyDose && $0.on < $1.on })
    }

    @Test("the guide's pace is checked on every step, first and last included, and names the right step")
    func tooFast() throws {
        let weekly = try propose("oxycodone 10 mg q6h", rate: 25, every: 7)
        let longTerm = try #require(TaperPace.check(steps: weekly, startingDose: 40, duration: .longTerm, smallestDose: 5, startedOn: start.adding(days: -7)))
        #expect(longTerm.key == "taper-too-fast")
        #expect(longTerm.source.contains("HHS 2019"))
        #expect(longTerm.title.hasPrefix("Taper step 1 "))
        let slowWeekly = try propose("morphine ER 100 mg bid", rate: 10, every: 7, basis: .original)
        #expect(TaperPace.check(steps: slowWeekly, startingDose: 200, duration: .weeksToMonths, smallestDose: 15, startedOn: start.adding(days: -7)) == nil)
        #expect(TaperPace.check(steps: slowWeekly, startingDose: 200, duration: .longTerm, smallestDose: 15, startedOn: start.adding(days: -7)) != nil)
        // A schedule whose only fast step is the last one is caught.
        let abruptEnd = [TaperStep(on: start, dailyDose: 36, unit: "mg"), TaperStep(on: start.adding(days: 30), dailyDose: 0, unit: "mg")]
        let last = try #require(TaperPace.check(steps: abruptEnd, startingDose: 40, duration: .longTerm, smallestDose: 5, startedOn: start.adding(days: -30)))
        #expect(last.title.hasPrefix("Taper step 2 "))
    }

    @Test("the pace follows the time on opioids given or recorded; unknown means the slower long-term pace")
    func paceFromHistory() throws {
        let day = LocalDate("2027-01-04")!
        #expect(TaperPlanning.pace(given: nil, onOpioidsSince: nil, record: nil, on: day).duration == .longTerm)
        #expect(TaperPlanning.pace(given: nil, onOpioidsSince: nil, record: nil, on: day).reason.contains("not recorded"))
        #expect(TaperPlanning.pace(given: nil, onOpioidsSince: LocalDate("2021-06-01"), record: nil, on: day).duration == .longTerm)
        #expect(TaperPlanning.pace(given: nil, onOpioidsSince: LocalDate("2026-11-01"), record: nil, on: day).duration == .weeksToMonths)
        #expect(TaperPlanning.pace(given: .weeksToMonths, onOpioidsSince: LocalDate("2021-06-01"), record: nil, on: day).duration == .weeksToMonths)
        // A five-year patient whose list was typed into Accord last week is not "weeks to months".
        let patient = "5f0c7a52-1b7e-4c59-8d0e-5e2f4a1b9c01"
        let registered = EventFixtures.event(patient: patient, wall: 1_798_761_600_000, .patientRegistered(PatientRegistered(name: "T", born: LocalDate("1970-01-01")!)))
        let list = EventFixtures.event(patient: patient, wall: 1_798_761_600_001, .medicationsChanged(MedicationsChanged(medications: ["oxycodone 10 mg q6h"])))
        let record = try #require(Projection.fold([registered, list]))
        #expect(TaperPlanning.pace(given: nil, onOpioidsSince: nil, record: record, on: day).duration == .longTerm)
        let recorded = EventFixtures.event(patient: patient, wall: 1_798_761_600_002, .riskFactorsRecorded(RiskFactorsRecorded(onOpioidsSince: LocalDate("2026-12-01"))))
        let recent = try #require(Projection.fold([registered, list, recorded]))
        #expect(TaperPlanning.pace(given: nil, onOpioidsSince: nil, record: recent, on: day).duration == .weeksToMonths)
    }

    @Test("a proposal faster than the guide is recorded only with a reason")
    func fasterNeedsReason() throws {
        let pace = TaperPlanning.Pace(duration: .longTerm, reason: "as given")
        let fast = try TaperPlanning.propose(try MedicationReader.read("oxycodone 10 mg q6h"), ratePercent: 25, intervalDays: 7, basis: .current, start: start, pace: pace)
        #expect(fast.warning != nil)
        #expect(throws: RuleViolation.self) { try TaperPlanning.requireReason(for: fast.warning, fasterReason: nil) }
        #expect(throws: RuleViolation.self) { try TaperPlanning.requireReason(for: fast.warning, fasterReason: "  ") }
        try TaperPlanning.requireReason(for: fast.warning, fasterReason: "signs of impending overdose")
        let slow = try TaperPlanning.propose(try MedicationReader.read("oxycodone 10 mg q6h"), ratePercent: 10, intervalDays: 30, basis: .current, start: start, pace: pace)
        #expect(slow.warning == nil)
        try TaperPlanning.requireReason(for: slow.warning, fasterReason: nil)
    }

    @Test("bad requests are refused with the reason", arguments: [
        ("buprenorphine 8 mg daily", 10.0, 30, "Accord can taper"),
        ("methadone 80 mg daily for OUD", 10.0, 30, "opioid use disorder"),
        ("alprazolam 1 mg bid", 10.0, 30, "not an opioid Accord can taper"),
        ("meperidine 50 mg q4h", 10.0, 30, "Accord can taper"),
        ("oxycodone 10 mg every other day", 10.0, 30, "whole number of doses"),
        ("oxycodone 10 mg q6h", 0.0, 30, "rate"),
        ("oxycodone 10 mg q6h", 80.0, 30, "rate"),
        ("oxycodone 10 mg q6h", 10.0, 0, "interval"),
        ("oxycodone 10 mg q6h", 1, 30, "more than 10 years"),
    ] as [(String, Double, Int, String)])
    func refused(text: String, rate: Double, every: Int, message: String) throws {
        do {
            _ = try propose(text, rate: rate, every: every)
            Issue.record("accepted \(text) at \(rate)% every \(every) days")
        } catch let error as RuleViolation {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    func plan(_ steps: [TaperStep], medication: String = "oxycodone 10 mg q6h") -> TaperPlanState {
        TaperPlanState(id: "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", medication: medication, ratePercent: 10, intervalDays: 30,
                       basis: .current, durationOfUse: .longTerm, status: .active, steps: steps, pausedOn: nil, history: [])
    }

    @Test("adjusting keeps the same checks: a ceiling at the starting dose, a reason for any increase, and the pace")
    func adjust() throws {
        let line = try MedicationReader.read("oxycodone 10 mg q6h")
        let steps = try propose("oxycodone 10 mg q6h", rate: 10, every: 30)
        let pace = TaperPlanning.Pace(duration: .longTerm, reason: "as given")
        let effective = steps[2].on.adding(days: 3)  // 25 mg/day in effect
        let slower = try TaperPlanning.adjust(plan(steps), line: line, ratePercent: 5, intervalDays: 30, effectiveOn: effective, dose: nil, reason: "withdrawal", pace: pace)
        #expect(slower.current == 25 && !slower.increase && slower.warning == nil)
        #expect(slower.steps.first?.dailyDose == 25)
        #expect(throws: RuleViolation.self) {
            try TaperPlanning.adjust(plan(steps), line: line, ratePercent: 5, intervalDays: 30, effectiveOn: effective, dose: 200, reason: "pain is worse after a fall", pace: pace)
        }
        #expect(throws: RuleViolation.self) {
            try TaperPlanning.adjust(plan(steps), line: line, ratePercent: 5, intervalDays: 30, effectiveOn: effective, dose: 30, reason: "pain", pace: pace)
        }
        let back = try TaperPlanning.adjust(plan(steps), line: line, ratePercent: 5, intervalDays: 30, effectiveOn: effective, dose: 30,
                                            reason: "reassessed: function fell after the last step", pace: pace)
        #expect(back.increase && back.steps.first?.instruction?.hasPrefix("increased") == true)
        // 25 → 0 in a few days is far faster than the guide; the warning names the step as shown.
        let abrupt = try TaperPlanning.adjust(plan(steps), line: line, ratePercent: 50, intervalDays: 1, effectiveOn: effective, dose: nil, reason: "wants to stop", pace: pace)
        let warning = try #require(abrupt.warning)
        #expect(warning.title.hasPrefix("Taper step 2 "), "\(warning.title)")
        #expect(abrupt.steps[1].on > effective)
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
