import AccordCore

extension Clinic {
    /// A proposed taper for the clinician to review before recording: steps at the chosen pace, checked against the
    /// guide's pace for this patient. A patient has one taper in progress at a time.
    public func proposeTaper(_ chart: PatientChart, medication: String, ratePercent: Double, intervalDays: Int,
                             basis: TaperBasis = .current, start: LocalDate? = nil, duration: OpioidUseDuration? = nil,
                             onOpioidsSince: LocalDate? = nil, confirmUnusual: Bool = false) throws(ClinicError) -> TaperPlanning.Proposal {
        let line = try Self.readMedications([medication], confirmUnusual: confirmUnusual)[0]
        try checkNoTaperInProgress(chart)
        let start = start ?? chart.today
        try checking { () throws(RuleViolation) in
            try DateSense.taperStart(start, record: chart.record, today: chart.today, calendar: chart.calendar)
        }
        let pace = TaperPlanning.pace(given: duration, onOpioidsSince: onOpioidsSince, record: chart.record, on: start, calendar: chart.calendar)
        return try checking { () throws(RuleViolation) in
            try TaperPlanning.propose(line, ratePercent: ratePercent, intervalDays: intervalDays, basis: basis, start: start, pace: pace)
        }
    }

    /// Records a proposal; one faster than the guide needs the clinician's reason, which is recorded with it.
    public func startTaper(_ chart: PatientChart, _ proposal: TaperPlanning.Proposal, ratePercent: Double, intervalDays: Int,
                           basis: TaperBasis = .current, onOpioidsSince: LocalDate? = nil, fasterReason: String? = nil,
                           note: String? = nil, signing: SigningIntent = SigningIntent()) async throws(ClinicError) -> Recorded {
        try requireReason(proposal.warning, fasterReason)
        try checkNoTaperInProgress(chart)
        let plan = Identifiers.make()
        let notes = [note, fasterReason.map { "Faster than the tapering guide: \($0)" }].compactMap { $0 }
        var recorded = try await record(chart, .taperStarted(TaperStarted(
            plan: plan, medication: proposal.line.input, ratePercent: ratePercent, intervalDays: intervalDays, basis: basis,
            durationOfUse: proposal.pace.duration, onOpioidsSince: onOpioidsSince ?? chart.record.onOpioidsSince,
            steps: proposal.steps, note: notes.isEmpty ? nil : notes.joined(separator: " "))), signing: signing)
        recorded.plan = plan
        return recorded
    }

    /// Holds the dose; later steps move when the taper resumes. Only an active taper pauses.
    public func pauseTaper(_ chart: PatientChart, plan: TaperPlanState, on date: LocalDate? = nil, reason: String,
                           signing: SigningIntent = SigningIntent()) async throws(ClinicError) -> Recorded {
        guard plan.status == .active else { throw ClinicError(.notAllowed, "That taper is \(plan.status.rawValue), not active; nothing to pause.") }
        let date = date ?? chart.today
        try checking { () throws(RuleViolation) in
            try DateSense.taperDay(date, "paused", plan: plan, today: chart.today, calendar: chart.calendar, mayBeAhead: true)
        }
        return try await onPlan(chart, plan, .taperPaused(TaperPaused(plan: plan.id, on: date, reason: reason)), signing)
    }

    /// Resumes a paused taper from the held dose, no earlier than the pause began.
    public func resumeTaper(_ chart: PatientChart, plan: TaperPlanState, on date: LocalDate? = nil, note: String? = nil,
                            signing: SigningIntent = SigningIntent()) async throws(ClinicError) -> Recorded {
        guard plan.status == .paused, let pausedOn = plan.pausedOn else { throw ClinicError(.notAllowed, "That taper is not paused; nothing to resume.") }
        let date = date ?? chart.today
        guard date >= pausedOn else { throw ClinicError(.invalid, "The taper cannot resume (\(date)) before it was paused (\(pausedOn)).") }
        return try await onPlan(chart, plan, .taperResumed(TaperResumed(plan: plan.id, on: date, note: note)), signing)
    }

    /// Marks a taper completed on `date` (today when nil); a completed taper takes no more entries.
    public func completeTaper(_ chart: PatientChart, plan: TaperPlanState, on date: LocalDate? = nil, note: String? = nil,
                              signing: SigningIntent = SigningIntent()) async throws(ClinicError) -> Recorded {
        let date = date ?? chart.today
        try checking { () throws(RuleViolation) in
            try DateSense.taperDay(date, "completed", plan: plan, today: chart.today, calendar: chart.calendar)
        }
        return try await onPlan(chart, plan, .taperCompleted(TaperCompleted(plan: plan.id, on: date, note: note)), signing)
    }

    /// A new pace from `effectiveOn`, checked like a new plan: a ceiling at the starting dose, a reason for any
    /// increase, the guide's pace. Shown before it is recorded with `adjustTaper`.
    public func proposeAdjustment(_ chart: PatientChart, plan: TaperPlanState, ratePercent: Double, intervalDays: Int,
                                  effectiveOn: LocalDate? = nil, dose: Double? = nil, reason: String) throws(ClinicError) -> TaperPlanning.Adjustment {
        guard plan.status != .completed else { throw ClinicError(.notAllowed, "That taper is completed; plan a new one instead.") }
        let line = try Self.readMedications([plan.medication], confirmUnusual: true)[0]
        let effective = effectiveOn ?? chart.today
        let pace = TaperPlanning.pace(given: plan.durationOfUse, onOpioidsSince: nil, record: chart.record, on: effective, calendar: chart.calendar)
        return try checking { () throws(RuleViolation) in
            try TaperPlanning.adjust(plan, line: line, ratePercent: ratePercent, intervalDays: intervalDays, effectiveOn: effective,
                                     dose: dose, reason: reason, pace: pace)
        }
    }

    /// Records an adjustment made by `proposeAdjustment`; one faster than the guide needs `fasterReason`.
    public func adjustTaper(_ chart: PatientChart, plan: TaperPlanState, _ adjustment: TaperPlanning.Adjustment, ratePercent: Double,
                            intervalDays: Int, reason: String, fasterReason: String? = nil,
                            signing: SigningIntent = SigningIntent()) async throws(ClinicError) -> Recorded {
        try requireReason(adjustment.warning, fasterReason)
        guard let effective = adjustment.steps.first?.on else { throw ClinicError(.invalid, "The adjustment has no steps.") }
        let unit = adjustment.steps[0].unit
        let recordedReason = (adjustment.increase
            ? "Dose increased from \(Timeline.formatScore(adjustment.current)) to \(Timeline.formatScore(adjustment.continueFrom)) \(unit): \(reason)"
            : reason) + (fasterReason.map { " Faster than the tapering guide: \($0)" } ?? "")
        return try await onPlan(chart, plan, .taperAdjusted(TaperAdjusted(plan: plan.id, effectiveOn: effective, ratePercent: ratePercent,
                                                                          intervalDays: intervalDays, steps: adjustment.steps, reason: recordedReason)), signing)
    }

    /// A patient has one taper in progress at a time.
    private func checkNoTaperInProgress(_ chart: PatientChart) throws(ClinicError) {
        if let open = chart.record.taperPlans.last(where: { $0.status != .completed }) {
            throw ClinicError(.alreadyExists, "\(chart.record.name) already has a taper in progress (\(open.medication)); adjust, pause or complete it first.")
        }
    }

    /// A completed taper takes no more entries.
    private func onPlan(_ chart: PatientChart, _ plan: TaperPlanState, _ payload: EventPayload, _ signing: SigningIntent) async throws(ClinicError) -> Recorded {
        guard plan.status != .completed else { throw ClinicError(.notAllowed, "That taper is completed; nothing more can be recorded on it.") }
        var recorded = try await record(chart, payload, signing: signing)
        recorded.plan = plan.id
        return recorded
    }

    private func requireReason(_ warning: RiskFlag?, _ fasterReason: String?) throws(ClinicError) {
        do { try TaperPlanning.requireReason(for: warning, fasterReason: fasterReason) } catch {
            throw ClinicError(.fasterThanGuide, error.message)
        }
    }
}
