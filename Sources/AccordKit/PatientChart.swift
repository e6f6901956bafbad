import AccordCore
import AccordStore

/// One patient's record as the log has it now, with the events behind it and the clinic's calendar: what every
/// operation on the patient starts from.
public struct PatientChart: Sendable {
    /// The record folded from the events.
    public let record: PatientRecord
    /// The patient's events in fold order.
    public let events: [Event]
    /// The clinic's calendar, for today and the day of each entry.
    public let calendar: ClinicCalendar

    /// A chart from a record, the events it was folded from, and the clinic's calendar.
    public init(record: PatientRecord, events: [Event], calendar: ClinicCalendar) {
        self.record = record
        self.events = events
        self.calendar = calendar
    }

    /// Today in the clinic's time zone.
    public var today: LocalDate { calendar.today() }

    /// The record with MME, flags and expired agreements worked out for today.
    public func evaluated(settings: FlagSettings? = nil) -> PatientRecord {
        record.evaluated(on: today, settings: settings ?? FlagSettings(calendar: calendar))
    }

    /// What a new event on `entity` builds on: its latest events (all of them, so it also resolves a conflict
    /// there), or the registration when it stands alone. Every event's parents are decided here.
    func parents(for entity: EntityKey?) -> [EventID] {
        guard let entity else { return [record.registered.event] }
        let heads = Projection.heads(of: entity, in: events)
        return heads.isEmpty ? [record.registered.event] : heads
    }

    func draft(_ payload: EventPayload, signing: SigningIntent? = nil) -> EventDraft {
        EventDraft(patient: record.id, payload: payload, parents: parents(for: payload.entity), signing: signing)
    }

    /// A goal by its number in the record (1, 2, ...) or by an id prefix of 4 or more characters. Up to 3 digits is
    /// a number; longer text is a prefix, even when all its hex digits happen to be decimal.
    public func goal(_ reference: String) throws(ClinicError) -> GoalState {
        let goals = record.goals
        if reference.count <= 3, let number = Int(reference) {
            guard number >= 1, number <= goals.count else {
                throw ClinicError(.notFound, "This patient has \(goals.count) goal(s); '\(reference)' is not one of their numbers.")
            }
            return goals[number - 1]
        }
        return try unique(reference.count >= 4 ? goals.filter { $0.id.hasPrefix(reference.lowercased()) } : [], "goal", reference)
    }

    /// The agreement named by id prefix, or the patient's active one.
    public func agreement(_ reference: String?) throws(ClinicError) -> AgreementState {
        if let reference {
            return try unique(record.agreements.filter { $0.id.hasPrefix(reference.lowercased()) }, "agreement", reference)
        }
        guard let active = record.activeAgreement else {
            throw ClinicError(.notFound, "This patient has no active treatment agreement.")
        }
        return active
    }

    /// The taper plan named by id prefix, or the patient's one plan that is not completed.
    public func taperPlan(_ reference: String?) throws(ClinicError) -> TaperPlanState {
        if let reference {
            return try unique(record.taperPlans.filter { $0.id.hasPrefix(reference.lowercased()) }, "taper plan", reference)
        }
        guard let plan = record.taperPlans.last(where: { $0.status != .completed }) else {
            throw ClinicError(.notFound, "This patient has no taper in progress.")
        }
        return plan
    }

    private func unique<T>(_ matches: [T], _ what: String, _ reference: String) throws(ClinicError) -> T {
        guard matches.count == 1 else {
            throw matches.isEmpty
                ? ClinicError(.notFound, "This patient has no \(what) '\(reference)'.")
                : ClinicError(.ambiguous, "More than one \(what) starts with '\(reference)'; give more of its id.")
        }
        return matches[0]
    }
}
