import AccordCore
import AccordKit

/// The text form of `accord patient show`.
enum RecordText {
    static func render(_ record: PatientRecord, calendar: ClinicCalendar) -> String {
        // Entries record UTC moments; each is shown on the clinic's day.
        func day(_ timestamp: String) -> String { calendar.day(ofTimestamp: timestamp)?.description ?? String(timestamp.prefix(10)) }
        var lines: [String] = []
        lines.append("\(record.name)  born \(record.born)\(record.mrn.map { "  MRN \($0)" } ?? "")" + (record.conflicts.contains { $0.entity == .demographics } ? "  [IN CONFLICT: see CONFLICTS below]" : ""))
        lines.append("Patient \(record.id)  (\(record.eventCount) \(record.eventCount == 1 ? "entry" : "entries"); registered \(day(record.registered.at)) by \(record.registered.by) @ \(record.registered.site))")
        if !record.conflicts.isEmpty {
            lines.append("")
            lines.append("CONFLICTS: each side below as its author recorded it; the record shows only what both sides share until one is kept")
            for conflict in record.conflicts {
                lines += ConflictText.lines(conflict, patient: record.id, calendar: calendar).map { "  ! " + $0 }
            }
        }
        let conflicted = Set(record.conflicts.map(\.entity))
        func marker(_ entity: EntityKey) -> String { conflicted.contains(entity) ? "  [IN CONFLICT: see CONFLICTS above]" : "" }
        lines.append("")
        lines.append("Goals")
        if record.goals.isEmpty { lines.append("  none yet (accord goal add)") }
        for (index, goal) in record.goals.enumerated() {
            let review = goal.latestReview.map { "; last review \(day($0.stamp.at)): \($0.progress.rawValue) progress\($0.note.map { " (\($0))" } ?? "")" } ?? "; not reviewed yet"
            lines.append("  \(index + 1). \(goal.description)  [\(goal.status.rawValue)]\(goal.targetDate.map { ", target \($0)" } ?? "")\(review)\(marker(.goal(goal.id)))")
        }
        lines.append("")
        lines.append("Mini-consent")
        if let consent = record.consents.last {
            let discussed = consent.items.filter(\.discussed).count
            lines.append("  \(day(consent.stamp.at)) by \(consent.stamp.by): \(discussed)/\(consent.items.count) items discussed, naloxone \(consent.naloxone.rawValue), patient \(consent.decision.rawValue)")
            for item in consent.items where !item.discussed {
                lines.append("    not discussed: \(item.key) (\(item.reason ?? ""))")
            }
        } else {
            lines.append("  none recorded (accord consent)")
        }
        lines.append("")
        lines.append("Treatment agreement")
        if record.agreements.isEmpty { lines.append("  none (accord agreement sign)") }
        for agreement in record.agreements {
            lines.append("  \(agreement.id.prefix(8)) [\(agreement.status.rawValue)] from \(agreement.effectiveOn), renew by \(agreement.renewOn), \(agreement.clauses.count) clauses, agreed \(agreement.method.rawValue), \(agreement.versions.count) version(s)\(marker(.agreement(agreement.id)))")
        }
        if !record.taperPlans.isEmpty {
            lines.append("")
            lines.append("Taper plans")
            for plan in record.taperPlans {
                lines.append("  \(plan.medication) [\(plan.status.rawValue)] \(Timeline.formatScore(plan.ratePercent))% every \(plan.intervalDays) days, \(plan.steps.count) steps\(marker(.taperPlan(plan.id)))")
            }
        }
        lines.append("")
        lines.append("Medications" + marker(.medications))
        if record.medications.isEmpty { lines.append("  none recorded (accord meds)") }
        if let mme = record.mme, !record.medications.isEmpty {
            var withoutFlags = mme
            withoutFlags.flags = []  // the record's own flags follow, and include these
            lines.append(MMEText.render(withoutFlags))
        }
        let present = record.riskFactors.filter(\.present).map(\.factor.rawValue)
        lines.append("  Overdose risk factors: \(present.isEmpty ? (record.riskFactors.isEmpty ? "not recorded" : "none present") : present.joined(separator: ", "))"
                     + (record.onOpioidsSince.map { "; on opioids since \($0)" } ?? "") + " (accord risk)")
        if let flags = record.flags, !flags.isEmpty {
            lines.append("")
            lines.append("Flags")
            for flag in flags { lines.append(FlagText.line(flag)) }
        }
        let trends = Trends.lines(record, calendar: calendar)
        if !trends.isEmpty {
            lines.append("")
            lines.append("Trends")
            lines += trends
        }
        lines.append("")
        lines += MonitoringText.lines(record, calendar: calendar)
        lines.append("")
        let visits = record.checkinsByDay(calendar)
        lines.append(visits.count > 5 ? "Check-ins (the latest 5 of \(visits.count); accord trend or accord timeline shows them all)" : "Check-ins")
        if record.checkins.isEmpty { lines.append("  none yet (accord checkin)") }
        for (visitDay, checkin) in visits.suffix(5) {
            var parts: [String] = []
            if let peg = checkin.pegScore { parts.append("PEG \(Timeline.formatScore(peg))") }
            if let total = checkin.phq2Total { parts.append("PHQ-2 \(total)\(checkin.phq2Positive == true ? " (positive screen)" : "")") }
            if let total = checkin.cowsTotal { parts.append("COWS \(total) (\(checkin.cowsBand ?? ""))") }
            if let next = checkin.recorded.nextVisit { parts.append("next visit \(next)") }
            if checkin.recorded.pdmpChecked == true { parts.append("PDMP checked") }
            if let test = checkin.recorded.urineDrugTest, test != .notDone { parts.append("urine drug test \(test.rawValue)") }
            if let dose = checkin.recorded.currentDose { parts.append("dose \(dose)") }
            let entered = checkin.recorded.on.map { _ in " (entered \(day(checkin.stamp.at)))" } ?? ""
            lines.append("  \(visitDay)\(entered): \(parts.isEmpty ? "recorded" : parts.joined(separator: ", "))")
        }
        if !record.notes.isEmpty {
            lines.append("")
            lines.append("Notes")
            for note in record.notes.suffix(5) { lines.append("  \(day(note.stamp.at)) \(note.stamp.by): \(note.text)") }
        }
        if !record.resolutions.isEmpty {
            lines.append("")
            lines.append("Conflicts resolved")
            for resolution in record.resolutions {
                lines.append("  \(day(resolution.stamp.at)) \(resolution.stamp.by) @ \(resolution.stamp.site), \(resolution.entity.kind): \(resolution.summary)")
            }
        }
        if !record.corrections.isEmpty {
            lines.append("")
            lines.append("Corrections")
            for correction in record.corrections {
                lines.append("  \(day(correction.stamp.at)) entry \(correction.target.short) \(correction.kind): \(correction.reason)")
            }
        }
        return lines.joined(separator: "\n")
    }
}
