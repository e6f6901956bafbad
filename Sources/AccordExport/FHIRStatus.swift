import AccordCore

/// How Accord's states map onto FHIR R4's required value sets.
enum FHIRStatus {
    static func goalLifecycle(_ status: GoalStatus) -> String {
        switch status {
        case .active: "active"
        case .met: "completed"
        case .dropped: "cancelled"
        }
    }

    static func goalAchievement(_ goal: GoalState) -> (code: String, display: String)? {
        switch goal.status {
        case .met: return ("achieved", "Achieved")
        case .dropped: return ("not-achieved", "Not Achieved")
        case .active:
            switch goal.latestReview?.progress {
            case nil: return nil
            case .none?: return ("no-progress", "No Progress")
            case .some?, .most?: return ("improving", "Improving")
            case .achieved?: return ("achieved", "Achieved")
            }
        }
    }

    static func consent(_ decision: ConsentDecision) -> String {
        switch decision {
        case .accepts: "active"
        case .declines: "rejected"
        case .deferred: "proposed"
        }
    }

    /// A deferred decision permits nothing yet and refuses nothing, so its provision carries no type.
    static func consentProvisionType(_ decision: ConsentDecision) -> String? {
        switch decision {
        case .accepts: "permit"
        case .declines: "deny"
        case .deferred: nil
        }
    }

    /// The last version of an agreement is `executed` (or `terminated` once ended); an earlier version says what
    /// replaced it.
    static func contract(next: AgreementVersion?, ended: Bool) -> String {
        guard let next else { return ended ? "terminated" : "executed" }
        return next.change == "renewed" ? "renewed" : "amended"
    }

    static func taper(_ status: TaperStatus) -> (carePlan: String, medicationRequest: String) {
        switch status {
        case .active: ("active", "active")
        case .paused: ("on-hold", "on-hold")
        case .completed: ("completed", "completed")
        }
    }
}
