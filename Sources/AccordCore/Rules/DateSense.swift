/// Sense checks on the dates a clinician enters: a visit cannot happen before the patient was born or in the future,
/// a next visit cannot be in the past, a goal's target cannot have passed. Each check throws a sentence that says
/// which date is wrong and why.
public enum DateSense {
    /// The earliest birth year Accord takes (`LocalDate` holds 1900 to 2999).
    public static let earliestYear = 1900
    /// How far ahead a next visit may be booked.
    public static let longestVisitInterval = 366
    /// How far ahead a goal's target may be set.
    public static let longestGoalYears = 5

    /// A birth date: not after today.
    public static func birth(_ born: LocalDate, today: LocalDate) throws(RuleViolation) {
        guard born <= today else { throw RuleViolation("The birth date \(born) is after today (\(today)); check the year.") }
    }

    /// The day something was observed or done (a visit, a test, a review): not after today, not before the patient
    /// was born, not before they were registered here.
    public static func observed(_ day: LocalDate, _ what: String, record: PatientRecord, today: LocalDate,
                                calendar: ClinicCalendar) throws(RuleViolation) {
        guard day <= today else {
            throw RuleViolation("The \(what) date \(day) is after today (\(today)); record it on or after the day it happens.")
        }
        guard day >= record.born else {
            throw RuleViolation("The \(what) date \(day) is before the patient was born (\(record.born)); check the year.")
        }
        if let registered = calendar.day(ofTimestamp: record.registered.at), day < registered {
            throw RuleViolation("The \(what) date \(day) is before the patient was registered here (\(registered)); record earlier care as a note.")
        }
    }

    /// The next visit set at a visit on `visit`: after that visit, not before today, and within a year of it.
    public static func nextVisit(_ next: LocalDate, after visit: LocalDate, today: LocalDate) throws(RuleViolation) {
        if visit == today, next < today { throw RuleViolation("The next visit \(next) is in the past (today is \(today)).") }
        guard next > visit else { throw RuleViolation("The next visit \(next) must be after the visit it is set at (\(visit)).") }
        guard visit.days(until: next) <= longestVisitInterval else {
            throw RuleViolation("The next visit \(next) is more than a year after the visit (\(visit)); check the year.")
        }
    }

    /// A goal's target date: not before today and within five years.
    public static func goalTarget(_ target: LocalDate, today: LocalDate) throws(RuleViolation) {
        guard target >= today else { throw RuleViolation("The goal's target date \(target) has already passed (today is \(today)); choose a day ahead.") }
        guard target <= today.adding(years: longestGoalYears) else {
            throw RuleViolation("The goal's target date \(target) is more than \(longestGoalYears) years away; choose a nearer day to look at it again.")
        }
    }

    /// How far ahead an agreement's renewal may be set (agreements are commonly renewed yearly).
    public static let longestAgreementYears = 2

    /// An agreement's renewal date: within two years.
    public static func renewal(_ renewOn: LocalDate, today: LocalDate) throws(RuleViolation) {
        guard renewOn <= today.adding(years: longestAgreementYears) else {
            throw RuleViolation("The renewal date \(renewOn) is more than \(longestAgreementYears) years away; agreements are looked at again at least that often. Check the year.")
        }
    }

    /// The first day of a new taper: not before the patient was registered here, and within a year.
    public static func taperStart(_ start: LocalDate, record: PatientRecord, today: LocalDate, calendar: ClinicCalendar) throws(RuleViolation) {
        if let registered = calendar.day(ofTimestamp: record.registered.at), start < registered {
            throw RuleViolation("The taper cannot start on \(start), before the patient was registered here (\(registered)).")
        }
        guard today.days(until: start) <= longestVisitInterval else {
            throw RuleViolation("The taper's start \(start) is more than a year away; check the year.")
        }
    }

    /// A day in a taper's life (a pause, a completion): not before the taper started, and not after today unless
    /// it may be planned ahead (a pause may be agreed for a coming week).
    public static func taperDay(_ day: LocalDate, _ what: String, plan: TaperPlanState, today: LocalDate,
                                calendar: ClinicCalendar, mayBeAhead: Bool = false) throws(RuleViolation) {
        let started = plan.history.first.flatMap { calendar.day(ofTimestamp: $0.stamp.at) }
        let firstStep = plan.steps.first.map { $0.on.adding(days: -plan.intervalDays) }
        if let start = [started, firstStep].compactMap({ $0 }).min(), day < start {
            throw RuleViolation("The taper cannot be \(what) on \(day), before it started (\(start)).")
        }
        guard day <= today || mayBeAhead else { throw RuleViolation("The taper cannot be \(what) on \(day), after today (\(today)); record it on the day.") }
    }
}
