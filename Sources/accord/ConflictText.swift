import AccordCore
import AccordKit

/// How the command line shows an open conflict: each side as its author recorded it, never a blend of the two.
enum ConflictText {
    /// The conflict's lines: what was changed, then each side with who, where, when, what and the outcome.
    static func lines(_ conflict: ConflictState, patient: String, name: String? = nil, calendar: ClinicCalendar) -> [String] {
        var lines = ["\(name.map { "\($0) (\(patient.prefix(8))): " } ?? "")the \(conflict.label) was changed at two places at once"]
        for side in conflict.sides {
            let when = calendar.localTime(ofTimestamp: side.stamp.at) ?? String(side.stamp.at.prefix(16))
            lines.append("  side \(side.event.hex.prefix(12))  \(when)  \(side.stamp.by) @ \(side.stamp.site): \(side.change)")
            lines.append("      outcome: \(outcome(side.state))")
        }
        lines.append("  Keep one side: accord conflicts resolve --patient \(patient.prefix(8)) --keep SIDE [--reason TEXT]  (SIDE: one of the ids above)")
        return lines
    }

    /// A part of the record as one side has it, in a line.
    static func outcome(_ state: EntitySnapshot) -> String {
        if let goal = state.goal {
            return "\"\(goal.description)\" [\(goal.status.rawValue)]" + (goal.targetDate.map { ", target \($0)" } ?? "") + (goal.measure.map { ", measured by \($0)" } ?? "")
        }
        if let agreement = state.agreement {
            return "[\(agreement.status.rawValue)\(agreement.endReason.map { ": \($0)" } ?? "")] from \(agreement.effectiveOn), renew by \(agreement.renewOn), "
                + "\(agreement.clauses.count) clauses (\(agreement.clauses.joined(separator: ", "))), agreed \(agreement.method.rawValue)"
        }
        if let plan = state.taperPlan {
            return "\(plan.medication) [\(plan.status.rawValue)\(plan.pausedOn.map { " since \($0)" } ?? "")] \(Timeline.formatScore(plan.ratePercent))% every \(plan.intervalDays) days; "
                + plan.steps.prefix(4).map { "\($0.on) \(Timeline.formatScore($0.dailyDose)) \($0.unit)" }.joined(separator: ", ") + (plan.steps.count > 4 ? ", ..." : "")
        }
        if let medications = state.medications {
            return medications.isEmpty ? "no medications" : medications.joined(separator: "; ")
        }
        if let demographics = state.demographics {
            return "\(demographics.name), born \(demographics.born)\(demographics.mrn.map { ", MRN \($0)" } ?? "")"
        }
        return "not readable here"
    }
}
