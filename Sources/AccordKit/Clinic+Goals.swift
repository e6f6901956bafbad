import AccordCore

extension Clinic {
    /// Sets a new functional goal.
    public func setGoal(_ chart: PatientChart, description: String, measure: String? = nil, target: LocalDate? = nil) async throws(ClinicError) -> Recorded {
        if let target { try checking { () throws(RuleViolation) in try DateSense.goalTarget(target, today: chart.today) } }
        let goal = Identifiers.make()
        var recorded = try await record(chart, .goalSet(GoalSet(goal: goal, description: description, measure: measure, targetDate: target)))
        recorded.goal = goal
        return recorded
    }

    /// Rewords a goal, or changes its measure or target date.
    public func reviseGoal(_ chart: PatientChart, goal: GoalState, description: String, measure: String? = nil,
                           target: LocalDate? = nil, reason: String? = nil) async throws(ClinicError) -> Recorded {
        if let target { try checking { () throws(RuleViolation) in try DateSense.goalTarget(target, today: chart.today) } }
        return try await onGoal(chart, goal, .goalRevised(GoalRevised(goal: goal.id, description: description, measure: measure, targetDate: target, reason: reason)))
    }

    /// Records how the goal is going, as judged with the patient on `on` (today when nil).
    public func reviewGoal(_ chart: PatientChart, goal: GoalState, progress: GoalProgress, note: String? = nil,
                           on day: LocalDate? = nil) async throws(ClinicError) -> Recorded {
        let day = try observedDay(chart, day, "goal review")
        return try await onGoal(chart, goal, .goalReviewed(GoalReviewed(goal: goal.id, progress: progress, note: note, on: day)))
    }

    /// Marks the goal as met.
    public func meetGoal(_ chart: PatientChart, goal: GoalState, note: String? = nil) async throws(ClinicError) -> Recorded {
        try await onGoal(chart, goal, .goalMet(GoalMet(goal: goal.id, note: note)))
    }

    /// Drops a goal that no longer fits, with the reason.
    public func dropGoal(_ chart: PatientChart, goal: GoalState, reason: String) async throws(ClinicError) -> Recorded {
        try await onGoal(chart, goal, .goalDropped(GoalDropped(goal: goal.id, reason: reason)))
    }

    private func onGoal(_ chart: PatientChart, _ goal: GoalState, _ payload: EventPayload) async throws(ClinicError) -> Recorded {
        var recorded = try await record(chart, payload)
        recorded.goal = goal.id
        return recorded
    }
}
