/// Folds a patient's events into their record. The events are put in fold order (hybrid logical clock, site, id)
/// first, so any arrival order of the same events gives the same record.
public enum Projection {
    /// The record, or nil when the events hold no registration for the patient.
    public static func fold(_ events: [Event]) -> PatientRecord? {
        let ordered = foldOrdered(events)
        let context = FoldContext(ordered)
        guard var record = Folder.run(ordered, context, lines: context.lines) else { return nil }
        record.conflicts = context.lines.conflicted.map { conflict in
            let sides = conflict.line.heads.compactMap { head -> ConflictSide? in
                guard let event = context.byID[head] else { return nil }
                let seen = Folder.run(ordered, context, lines: context.lines.seenFrom(head, of: conflict.entity))
                return ConflictSide(event: event, state: seen.map { EntitySnapshot($0, conflict.entity) } ?? EntitySnapshot())
            }
            return ConflictState(entity: conflict.entity, label: record.label(of: conflict.entity), heads: conflict.line.heads, sides: sides)
        }
        return record
    }
}

extension Projection {
    /// Whether these events leave any part of the record in conflict: for a registered patient the same answer as
    /// a whole fold's `conflicts`, from the events that change an entity alone (`EventType.entityChanging`), so a
    /// sync can check the records it updated without decoding their check-ins and notes.
    public static func hasOpenConflicts(_ events: [Event]) -> Bool {
        !EntityLines(foldOrdered(events)).conflicted.isEmpty
    }

    /// The events in fold order, each once however often it was delivered.
    static func foldOrdered(_ events: [Event]) -> [Event] {
        var seen = Set<EventID>()
        return events.sorted(by: Event.foldOrder).filter { seen.insert($0.id).inserted }
    }
}

/// What every fold of one patient's events shares: the events by id, corrections, and the entities' lines.
struct FoldContext {
    let byID: [EventID: Event]
    let amendments: Amendments
    let lines: EntityLines

    init(_ ordered: [Event]) {
        byID = Dictionary(uniqueKeysWithValues: ordered.map { ($0.id, $0) })
        amendments = Amendments(ordered, byID: byID)
        lines = EntityLines(ordered)
    }
}

/// Which entries were marked entered in error and which were corrected, worked out before the fold so that a
/// correction applies at the position of the entry it corrects.
struct Amendments {
    var enteredInError: Set<EventID> = []
    var replacements: [EventID: EventPayload] = [:]

    init(_ ordered: [Event], byID: [EventID: Event]) {
        for event in ordered {
            guard case .entryEnteredInError(let marker) = event.envelope.payload,
                  let target = byID[marker.target], target.envelope.type != .entryEnteredInError else { continue }
            enteredInError.insert(target.id)
        }
        for event in ordered where !enteredInError.contains(event.id) {
            guard case .entryCorrected(let correction) = event.envelope.payload,
                  let target = byID[correction.target],
                  target.envelope.type == correction.replacement.type,
                  target.envelope.payload.entity == correction.replacement.entity else { continue }
            replacements[target.id] = correction.replacement
        }
    }
}

/// The mutable state of one fold.
struct Folder {
    private var building: PatientRecord?
    private var count = 0

    /// Folds `ordered` with `lines` deciding which events of each entity count.
    static func run(_ ordered: [Event], _ context: FoldContext, lines: EntityLines) -> PatientRecord? {
        var folder = Folder()
        for event in ordered { folder.apply(event, context, lines: lines) }
        guard var record = folder.building else { return nil }
        record.eventCount = folder.count
        return record
    }

    mutating func apply(_ event: Event, _ context: FoldContext, lines: EntityLines) {
        count += 1
        let envelope = event.envelope
        let stamp = Stamp(event: event.id, by: envelope.author.name, clinician: envelope.author.id, site: envelope.site, at: envelope.recorded)
        switch envelope.payload {
        case .entryEnteredInError(let marker):
            building?.corrections.append(CorrectionState(target: marker.target, kind: "entered in error", reason: marker.reason, stamp: stamp))
            return
        case .entryCorrected(let correction):
            building?.corrections.append(CorrectionState(target: correction.target, kind: "corrected", reason: correction.reason, stamp: stamp))
            return
        default: break
        }
        guard !context.amendments.enteredInError.contains(event.id) else { return }
        let payload = context.amendments.replacements[event.id] ?? envelope.payload
        if case .patientRegistered(let registration) = payload, building == nil {
            // The registration starts the record whatever else the log holds.
            building = PatientRecord(id: envelope.patient, name: registration.name, born: registration.born,
                                     mrn: registration.mrn, registered: stamp)
            return
        }
        if let entity = envelope.payload.entity, !lines.counts(event.id, of: entity) { return }
        guard building != nil else {
            return  // Nothing is known of a patient before their registration; such events wait for it in the log.
        }
        if case .conflictResolved(let resolution) = payload {
            building!.apply(resolution, sides: context.byID, stamp: stamp)
        } else {
            building!.apply(payload, stamp: stamp)
        }
    }
}

extension PatientRecord {
    mutating func apply(_ payload: EventPayload, stamp: Stamp) {
        switch payload {
        case .patientRegistered(let p):
            name = p.name; born = p.born; mrn = p.mrn
        case .demographicsCorrected(let p):
            if let value = p.name { name = value }
            if let value = p.born { born = value }
            if let value = p.mrn { mrn = value }
        case .goalSet(let p):
            if let index = goals.firstIndex(where: { $0.id == p.goal }) {
                goals[index].description = p.description
                goals[index].history.append(GoalHistoryEntry(change: "set again", detail: p.description, stamp: stamp))
            } else {
                goals.append(GoalState(id: p.goal, description: p.description, measure: p.measure, targetDate: p.targetDate,
                                       status: .active, set: stamp,
                                       history: [GoalHistoryEntry(change: "set", detail: p.description, stamp: stamp)]))
            }
        case .goalRevised(let p):
            updateGoal(p.goal) { goal in
                goal.description = p.description
                goal.measure = p.measure ?? goal.measure
                goal.targetDate = p.targetDate ?? goal.targetDate
                goal.history.append(GoalHistoryEntry(change: "revised", detail: p.description, stamp: stamp))
            }
        case .goalReviewed(let p):
            updateGoal(p.goal) { goal in
                goal.latestReview = GoalReviewState(progress: p.progress, note: p.note, on: p.on, stamp: stamp)
                goal.history.append(GoalHistoryEntry(change: "reviewed: \(p.progress.rawValue) progress", detail: p.note, stamp: stamp))
            }
        case .goalMet(let p):
            updateGoal(p.goal) { goal in
                goal.status = .met
                goal.history.append(GoalHistoryEntry(change: "met", detail: p.note, stamp: stamp))
            }
        case .goalDropped(let p):
            updateGoal(p.goal) { goal in
                goal.status = .dropped
                goal.history.append(GoalHistoryEntry(change: "dropped", detail: p.reason, stamp: stamp))
            }
        case .consentRecorded(let p):
            consents.append(ConsentState(items: p.items, naloxone: p.naloxone, questions: p.questions,
                                         decision: p.decision, note: p.note, stamp: stamp))
        case .agreementSigned(let p):
            let version = AgreementVersion(change: "signed", clauses: p.clauses, renewOn: p.renewOn, method: p.method,
                                           reason: p.note, stamp: stamp)
            agreements.append(AgreementState(id: p.agreement, effectiveOn: p.effectiveOn, renewOn: p.renewOn,
                                             clauses: p.clauses, method: p.method, status: .active, versions: [version]))
        case .agreementAmended(let p):
            updateAgreement(p.agreement) { agreement in
                agreement.clauses = p.clauses
                agreement.method = p.method
                agreement.versions.append(AgreementVersion(change: "amended", clauses: p.clauses, renewOn: agreement.renewOn,
                                                           method: p.method, reason: p.reason, stamp: stamp))
            }
        case .agreementRenewed(let p):
            updateAgreement(p.agreement) { agreement in
                agreement.renewOn = p.renewOn
                agreement.method = p.method
                agreement.versions.append(AgreementVersion(change: "renewed", clauses: agreement.clauses, renewOn: p.renewOn,
                                                           method: p.method, reason: p.note, stamp: stamp))
            }
        case .agreementEnded(let p):
            updateAgreement(p.agreement) { agreement in
                agreement.status = .ended
                agreement.endReason = p.reason
                agreement.versions.append(AgreementVersion(change: "ended", clauses: agreement.clauses, renewOn: agreement.renewOn,
                                                           method: agreement.method, reason: p.reason, stamp: stamp))
            }
        case .taperStarted(let p):
            taperPlans.append(TaperPlanState(id: p.plan, medication: p.medication, ratePercent: p.ratePercent,
                                             intervalDays: p.intervalDays, basis: p.basis, durationOfUse: p.durationOfUse,
                                             status: .active, steps: p.steps,
                                             history: [GoalHistoryEntry(change: "started", detail: p.note, stamp: stamp)]))
        case .taperAdjusted(let p):
            updateTaper(p.plan) { plan in
                plan.steps = plan.steps.filter { $0.on < p.effectiveOn } + p.steps
                plan.ratePercent = p.ratePercent
                plan.intervalDays = p.intervalDays
                plan.history.append(GoalHistoryEntry(change: "adjusted", detail: p.reason, stamp: stamp))
            }
        case .taperPaused(let p):
            updateTaper(p.plan) { plan in
                guard plan.status == .active else { return }
                plan.status = .paused
                plan.pausedOn = p.on
                plan.history.append(GoalHistoryEntry(change: "paused", detail: p.reason, stamp: stamp))
            }
        case .taperResumed(let p):
            updateTaper(p.plan) { plan in
                guard plan.status == .paused, let pausedOn = plan.pausedOn else { return }
                // A pause holds the dose: every step not yet reached moves later by the length of the pause.
                let shift = max(0, pausedOn.days(until: p.on))
                plan.steps = plan.steps.map { step in
                    var moved = step
                    if step.on > pausedOn { moved.on = step.on.adding(days: shift) }
                    return moved
                }
                plan.status = .active
                plan.pausedOn = nil
                plan.history.append(GoalHistoryEntry(change: "resumed", detail: p.note, stamp: stamp))
            }
        case .taperCompleted(let p):
            updateTaper(p.plan) { plan in
                plan.status = .completed
                plan.history.append(GoalHistoryEntry(change: "completed", detail: p.note, stamp: stamp))
            }
        case .checkinRecorded(let p):
            let cowsTotal = p.cows.map { $0.reduce(0, +) }
            checkins.append(CheckinState(recorded: p, pegScore: p.peg.map(CheckinInstruments.pegScore),
                                         phq2Total: p.phq2.map { $0.reduce(0, +) },
                                         phq2Positive: p.phq2.map(CheckinInstruments.phq2Positive),
                                         cowsTotal: cowsTotal, cowsBand: cowsTotal.map(CheckinInstruments.cowsBand(total:)),
                                         stamp: stamp))
            // A test or a PDMP check noted at a check-in counts as one, on the day of the visit.
            if let test = p.urineDrugTest, let result = UrineDrugTestResult(rawValue: test.rawValue) {
                drugTests.append(UrineDrugTestState(entry: stamp.event, on: p.on, result: result, stamp: stamp))
            }
            if p.pdmpChecked == true { pdmpChecks.append(PDMPCheckState(entry: stamp.event, on: p.on, stamp: stamp)) }
        case .urineDrugTestRecorded(let p):
            drugTests.append(UrineDrugTestState(entry: stamp.event, on: p.on, result: p.result, detail: p.detail,
                                                discussion: p.discussed == true ? DiscussionState(on: p.on, stamp: stamp) : nil, stamp: stamp))
        case .pdmpChecked(let p):
            pdmpChecks.append(PDMPCheckState(entry: stamp.event, on: p.on, findings: p.findings, detail: p.detail,
                                             discussion: p.discussed == true ? DiscussionState(on: p.on, stamp: stamp) : nil, stamp: stamp))
        case .findingDiscussed(let p):
            let discussion = DiscussionState(on: p.on, note: p.note, stamp: stamp)
            for index in drugTests.indices where drugTests[index].entry == p.target { drugTests[index].discussion = discussion }
            for index in pdmpChecks.indices where pdmpChecks[index].entry == p.target { pdmpChecks[index].discussion = discussion }
        case .medicationsChanged(let p):
            medications = p.medications
            medicationHistory.append(MedicationListState(medications: p.medications, on: p.on, stamp: stamp))
        case .noteAdded(let p):
            notes.append(NoteState(text: p.text, stamp: stamp))
        case .riskFactorsRecorded(let p):
            // Each statement replaces the earlier one about the same factor.
            for (factor, present) in p.present.map({ ($0, true) }) + p.absent.map({ ($0, false) }) {
                riskFactors.removeAll { $0.factor == factor }
                riskFactors.append(RiskFactorState(factor: factor, present: present, stamp: stamp))
            }
            if let since = p.onOpioidsSince { onOpioidsSince = since }
        case .patientShared(let p):
            if !sharedWith.contains(p.site), p.site != registered.site { sharedWith.append(p.site) }
        case .entryCorrected, .entryEnteredInError, .conflictResolved:
            break  // Handled before the fold reaches the record.
        }
    }

    private mutating func updateGoal(_ id: String, _ change: (inout GoalState) -> Void) {
        if let index = goals.firstIndex(where: { $0.id == id }) { change(&goals[index]) }
    }

    private mutating func updateAgreement(_ id: String, _ change: (inout AgreementState) -> Void) {
        if let index = agreements.firstIndex(where: { $0.id == id }), agreements[index].status != .ended { change(&agreements[index]) }
    }

    private mutating func updateTaper(_ id: String, _ change: (inout TaperPlanState) -> Void) {
        if let index = taperPlans.firstIndex(where: { $0.id == id }), taperPlans[index].status != .completed { change(&taperPlans[index]) }
    }
}

extension Projection {
    /// The latest events of one entity (more than one means a conflict); a new event on the entity names them
    /// all as parents.
    public static func heads(of entity: EntityKey, in events: [Event]) -> [EventID] {
        EntityLines(foldOrdered(events).filter { $0.envelope.payload.entity == entity }).lines[entity]?.heads ?? []
    }
}
