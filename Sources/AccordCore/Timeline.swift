/// One line of a patient's timeline: every event in fold order, including corrected and entered-in-error entries,
/// which stay readable. Field names are the keys of `accord timeline --json`.
public struct TimelineEntry: Codable, Sendable, Equatable {
    /// The event.
    public var event: EventID
    /// Its type.
    public var type: EventType
    /// When it was recorded, as an ISO 8601 UTC time.
    public var at: String
    /// The author's printed name.
    public var by: String
    /// Where it was written.
    public var site: String
    /// What it records, in plain words.
    public var summary: String
    /// `recorded`, `corrected` (a later entry replaced its content), `entered-in-error`, `in-conflict` (one side of
    /// an open conflict) or `set-aside` (the side a resolution did not keep).
    public var status: String
}

/// A patient's every event in order, corrected and entered-in-error ones included.
public enum Timeline {
    /// The timeline of `events`, in fold order.
    public static func entries(_ events: [Event]) -> [TimelineEntry] {
        let ordered = Projection.foldOrdered(events)
        let context = FoldContext(ordered)
        let amendments = context.amendments
        let conflicted = Set(context.lines.conflicted.map(\.entity))
        return ordered.map { event in
            let entity = event.envelope.payload.entity
            let status = amendments.enteredInError.contains(event.id) ? "entered-in-error"
                : amendments.replacements[event.id] != nil ? "corrected"
                : entity.map { !context.lines.counts(event.id, of: $0) } == true ? (conflicted.contains(entity!) ? "in-conflict" : "set-aside")
                : "recorded"
            return TimelineEntry(event: event.id, type: event.envelope.type, at: event.envelope.recorded,
                                 by: event.envelope.author.name, site: event.envelope.site,
                                 summary: summary(of: event.envelope.payload), status: status)
        }
    }

    /// A one-line description of what an event records, in plain words.
    public static func summary(of payload: EventPayload) -> String {
        switch payload {
        case .patientRegistered(let p): "Registered \(p.name), born \(p.born)\(p.mrn.map { ", MRN \($0)" } ?? "")"
        case .demographicsCorrected(let p):
            "Demographics corrected (\([p.name.map { "name \($0)" }, p.born.map { "born \($0)" }, p.mrn.map { "MRN \($0)" }].compactMap { $0 }.joined(separator: ", "))): \(p.reason)"
        case .goalSet(let p): "Goal set: \(p.description)"
        case .goalRevised(let p): "Goal revised: \(p.description)"
        case .goalReviewed(let p): "Goal reviewed\(p.on.map { " on \($0)" } ?? ""): \(p.progress.rawValue) progress\(p.note.map { " — \($0)" } ?? "")"
        case .goalMet(let p): "Goal met\(p.note.map { " — \($0)" } ?? "")"
        case .goalDropped(let p): "Goal dropped: \(p.reason)"
        case .consentRecorded(let p):
            "Mini-consent: \(p.items.filter(\.discussed).count) of \(p.items.count) items discussed, naloxone \(p.naloxone.rawValue), patient \(p.decision.rawValue)"
        case .agreementSigned(let p): "Treatment agreement signed (\(p.clauses.count) clauses, \(p.method.rawValue)), renew by \(p.renewOn)"
        case .agreementAmended(let p): "Treatment agreement amended (\(p.clauses.count) clauses): \(p.reason)"
        case .agreementRenewed(let p): "Treatment agreement renewed until \(p.renewOn)"
        case .agreementEnded(let p): "Treatment agreement ended: \(p.reason)"
        case .taperStarted(let p): "Taper started: \(p.medication), \(p.steps.count) steps"
        case .taperAdjusted(let p): "Taper adjusted from \(p.effectiveOn): \(p.reason)"
        case .taperPaused(let p): "Taper paused on \(p.on): \(p.reason)"
        case .taperResumed(let p): "Taper resumed on \(p.on)"
        case .taperCompleted(let p): "Taper completed on \(p.on)"
        case .checkinRecorded(let p): "Check-in\(checkinDetail(p))"
        case .medicationsChanged(let p): "Medication list\(p.on.map { " from \($0)" } ?? ""): \(p.medications.isEmpty ? "none" : p.medications.joined(separator: "; "))"
        case .noteAdded(let p): "Note: \(p.text)"
        case .riskFactorsRecorded(let p):
            "Risk factors: " + ([p.present.isEmpty ? nil : "present \(p.present.map(\.rawValue).joined(separator: ", "))",
                                 p.absent.isEmpty ? nil : "absent \(p.absent.map(\.rawValue).joined(separator: ", "))",
                                 p.onOpioidsSince.map { "on opioids since \($0)" }].compactMap { $0 }.joined(separator: "; "))
        case .patientShared(let p): "Shared with site \(p.site)\(p.reason.map { ": \($0)" } ?? "")"
        case .entryCorrected(let p): "Corrected entry \(p.target.short): \(p.reason)"
        case .entryEnteredInError(let p): "Entry \(p.target.short) marked entered in error: \(p.reason)"
        case .urineDrugTestRecorded(let p):
            "Urine drug test on \(p.on): \(p.result.rawValue)\(p.detail.map { " (\($0))" } ?? "")\(p.discussed == true ? ", discussed with the patient" : "")"
        case .pdmpChecked(let p):
            "PDMP checked on \(p.on): \(p.findings == .none ? "no concerning findings" : "concerning findings")\(p.detail.map { " (\($0))" } ?? "")\(p.discussed == true ? ", discussed with the patient" : "")"
        case .findingDiscussed(let p): "Discussed entry \(p.target.short) with the patient on \(p.on): \(p.note)"
        case .conflictResolved(let p):
            "Conflict on the \(p.entity.kind) resolved: kept entry \(p.kept.short), set aside \(p.setAside.map(\.short).joined(separator: ", "))\(p.reason.map { ": \($0)" } ?? "")"
        }
    }

    static func checkinDetail(_ p: CheckinRecorded) -> String {
        var parts: [String] = []
        if let on = p.on { parts.append("visit on \(on)") }
        if let peg = p.peg { parts.append("PEG \(formatScore(CheckinInstruments.pegScore(peg)))") }
        if let phq2 = p.phq2 { parts.append("PHQ-2 \(phq2.reduce(0, +))") }
        if let cows = p.cows { parts.append("COWS \(cows.reduce(0, +))") }
        if p.pdmpChecked == true { parts.append("PDMP checked") }
        if let test = p.urineDrugTest, test != .notDone { parts.append("urine drug test \(test.rawValue)") }
        if let next = p.nextVisit { parts.append("next visit \(next)") }
        return parts.isEmpty ? "" : ": " + parts.joined(separator: ", ")
    }

    /// A number with at most one decimal and no trailing zero: 6, 6.5.
    public static func formatScore(_ value: Double) -> String { format(value, decimals: 1) }

    /// A number with at most `decimals` places and no trailing zeros: 0.15, 2.4, 60.
    public static func format(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
