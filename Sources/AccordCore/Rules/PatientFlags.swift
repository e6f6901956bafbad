/// Settings for the flags a site may tune.
public struct FlagSettings: Sendable, Equatable {
    /// A PDMP check older than this many days is flagged.
    public var pdmpDays: Int
    /// A urine drug test older than this many days is flagged (at least yearly on long-term therapy).
    public var drugTestDays: Int
    /// An agreement whose renewal date is this close is flagged as due.
    public var renewalNoticeDays: Int
    /// The clinic's calendar, for the day an entry was made.
    public var calendar: ClinicCalendar

    /// Settings with the defaults: 90 days for the PDMP, 365 for a urine drug test, 30 days' notice of renewal, UTC.
    public init(pdmpDays: Int = 90, drugTestDays: Int = 365, renewalNoticeDays: Int = 30, calendar: ClinicCalendar = .utc) {
        self.pdmpDays = pdmpDays
        self.drugTestDays = drugTestDays
        self.renewalNoticeDays = renewalNoticeDays
        self.calendar = calendar
    }
}

/// The flags a patient's record raises on a given day, each with why, since when and its source.
public enum PatientFlags {
    /// A PEG score this many points above the taper's baseline counts as pain or function clearly worse.
    public static let pegWorseningPoints = 2.0

    /// The flags the record raises on `today`.
    public static func evaluate(_ record: PatientRecord, on today: LocalDate, settings: FlagSettings = FlagSettings()) -> [RiskFlag] {
        assess(record, on: today, settings: settings).flags
    }

    /// The current list's MME and the flags, reading each medication line once.
    public static func assess(_ record: PatientRecord, on today: LocalDate, settings: FlagSettings = FlagSettings()) -> (mme: MMEResult, flags: [RiskFlag]) {
        let calendar = settings.calendar
        var flags: [RiskFlag] = []
        let history = record.medicationSummaries(calendar: calendar)
        let medicationSince = record.medicationHistory.last?.stamp.at
        var lines: [MedicationLine] = []
        var unreadable: [String] = []
        for text in record.medications {
            do { lines.append(try MedicationReader.read(text)) } catch {
                unreadable.append(text)
                flags.append(RiskFlag(key: "medication-unreadable", title: "A medication line could not be read",
                                      why: "\(error.description). The MME total is incomplete until the list is corrected (accord meds).",
                                      since: medicationSince, source: Source.mmeGuide.rawValue))
            }
        }
        let mme = MMECalculator.compute(lines, unreadable: unreadable)
        flags += MedicationFlags.flags(total: mme.totalMME, lines: lines, incomplete: mme.incomplete, since: medicationSince)
        let onOpioids = lines.contains { $0.isOpioid }

        if onOpioids, let flag = naloxone(record, lines: lines, mme: mme, today: today, since: medicationSince) { flags.append(flag) }

        flags += MonitoringFlags.results(record, today: today, calendar: calendar)
        if onOpioids {
            flags += MonitoringFlags.checksDue(record, today: today, settings: settings)
            flags += reevaluation(record, history: history, today: today, calendar: calendar)
            if let flag = MonitoringFlags.visitOverdue(record, today: today, calendar: calendar) { flags.append(flag) }
        }

        for agreement in record.agreements where agreement.status == .active {
            if agreement.renewOn < today {
                flags.append(RiskFlag(key: "agreement-expired", title: "Treatment agreement expired on \(agreement.renewOn)",
                                      why: "Review it with the patient and renew, amend or end it.", since: agreement.renewOn.description,
                                      source: Source.cdc2022.rawValue))
            } else if today.days(until: agreement.renewOn) <= settings.renewalNoticeDays {
                flags.append(RiskFlag(key: "agreement-renewal-due", title: "Treatment agreement due for renewal on \(agreement.renewOn)",
                                      why: "The renewal date is within \(settings.renewalNoticeDays) days.", since: agreement.renewOn.adding(days: -settings.renewalNoticeDays).description,
                                      source: Source.cdc2022.rawValue))
            }
        }

        for plan in record.taperPlans where plan.status != .completed {
            if let flag = paceFlag(plan) { flags.append(flag) }
            if plan.status == .active, let flag = worryingCheckin(record, plan: plan, calendar: calendar) { flags.append(flag) }
        }

        if onOpioids, let since = MedicationHistory.opioidsSince(record, calendar: calendar), since.days(until: today) >= 90,
           !record.goals.contains(where: { $0.status == .active }) {
            flags.append(RiskFlag(key: "no-functional-goal", title: "On opioids for \(since.days(until: today)) days with no active functional goal",
                                  why: "Set goals about function (walking, sleep, work) and an exit plan; reassess whether the opioid helps reach them.",
                                  since: since.description, source: Source.cdc2022.rawValue + ", recommendation 2"))
        }
        return (mme, flags)
    }

    /// CDC 2022 recommendation 8: offer naloxone to a patient on opioids with any factor that raises overdose risk.
    static func naloxone(_ record: PatientRecord, lines: [MedicationLine], mme: MMEResult, today: LocalDate, since: String?) -> RiskFlag? {
        var reasons: [String] = []
        if MMECalculator.atLeast(mme.totalMME, MedicationFlags.reassessThreshold) { reasons.append("50 MME/day or more") }
        if lines.contains(where: \.isCNSDepressant) { reasons.append("a benzodiazepine or other CNS depressant") }
        if lines.contains(where: \.opioidUseDisorderTreatment) { reasons.append("treatment for opioid use disorder") }
        reasons += record.riskFactors.filter(\.present).map(\.factor.phrase)
        if record.born.adding(years: 65) <= today { reasons.append("age 65 or over") }
        guard !reasons.isEmpty, !naloxoneOnHand(record, lines) else { return nil }
        return RiskFlag(key: "naloxone-not-on-hand", title: "Naloxone indicated but not on hand",
                        why: "Offer naloxone: \(reasons.joined(separator: "; ")). No consent, check-in or medication list shows the patient has it (buprenorphine with naloxone is not a rescue supply).",
                        since: since, source: Source.cdc2022.rawValue + ", recommendation 8")
    }

    static func naloxoneOnHand(_ record: PatientRecord, _ lines: [MedicationLine]) -> Bool {
        if lines.contains(where: \.isRescueAntagonist) { return true }
        // The latest statement wins: a check-in saying "not on hand" overrides an older consent.
        var statements: [(String, Bool)] = record.consents.map { ($0.stamp.at, $0.naloxone == .onHand || $0.naloxone == .prescribed) }
        statements += record.checkins.compactMap { checkin in checkin.recorded.naloxoneOnHand.map { (checkin.stamp.at, $0) } }
        return statements.max { $0.0 < $1.0 }?.1 ?? false
    }

    /// A recorded schedule whose pace is faster than the guide for the duration the plan recorded.
    static func paceFlag(_ plan: TaperPlanState) -> RiskFlag? {
        guard let line = try? MedicationReader.read(plan.medication), let start = line.dailyDose, let first = plan.steps.first else { return nil }
        return TaperPace.check(steps: plan.steps, startingDose: start, duration: plan.durationOfUse ?? .longTerm,
                               smallestDose: TaperPlanning.smallestDose(line), startedOn: first.on.adding(days: -plan.intervalDays))
    }

    /// HHS 2019: during a taper, depression, thoughts of self-harm, significant withdrawal or worse pain and function
    /// call for a pause and a reassessment. Looks at the latest check-in since the taper began or last resumed.
    static func worryingCheckin(_ record: PatientRecord, plan: TaperPlanState, calendar: ClinicCalendar) -> RiskFlag? {
        guard let began = plan.history.first.flatMap({ calendar.day(ofTimestamp: $0.stamp.at) }) else { return nil }
        let resumed = plan.history.last { $0.change == "resumed" }.flatMap { calendar.day(ofTimestamp: $0.stamp.at) }
        let from = max(began, resumed ?? began)
        let byDay = record.checkinsByDay(calendar)
        let during = byDay.filter { $0.day >= from }.map(\.checkin)
        guard let latest = during.last, let day = latest.day(calendar) else { return nil }
        var concerns: [String] = []
        if latest.recorded.selfHarmConcern == true { concerns.append("a concern about self-harm was recorded") }
        if let total = latest.phq2Total, total >= CheckinInstruments.phq2PositiveTotal { concerns.append("PHQ-2 \(total) screens positive for depression") }
        if let total = latest.cowsTotal, total >= CheckinInstruments.cowsModerateTotal { concerns.append("COWS \(total): \(CheckinInstruments.cowsBand(total: total)) withdrawal") }
        let before = byDay.filter { $0.day < began }.map(\.checkin)
        if let peg = latest.pegScore, let baseline = (before.last { $0.pegScore != nil } ?? during.first { $0.pegScore != nil })?.pegScore,
           peg - baseline >= pegWorseningPoints - 1e-9 {
            concerns.append("PEG rose from \(Timeline.formatScore(baseline)) to \(Timeline.formatScore(peg)) (pain or function clearly worse)")
        }
        guard !concerns.isEmpty else { return nil }
        let suicide = latest.recorded.selfHarmConcern == true || (latest.phq2Total ?? 0) >= CheckinInstruments.phq2PositiveTotal
        return RiskFlag(key: "taper-consider-pause", title: "Check-in on \(day) during the taper of \(plan.medication): consider a pause",
                        why: concerns.joined(separator: "; ") + ". Consider holding the dose (accord taper pause) and reassessing before the next step\(suicide ? "; assess suicide risk now and follow the clinic's crisis protocol if needed" : "")." ,
                        since: day.description, source: Source.hhs2019.rawValue)
    }

    /// Re-evaluate 1 to 4 weeks after a start or an increase, then at least every 3 months (CDC 2022, rec. 7).
    static func reevaluation(_ record: PatientRecord, history: [MedicationListSummary], today: LocalDate, calendar: ClinicCalendar) -> [RiskFlag] {
        let lastChange = MedicationHistory.lastStartOrIncrease(history)
        let checkinDates = record.checkins.compactMap { $0.day(calendar) }
        let source = Source.cdc2022.rawValue + ", recommendation 7"
        if let change = lastChange, !checkinDates.contains(where: { $0 >= change }), change.days(until: today) > 28 {
            return [RiskFlag(key: "reevaluation-overdue", title: "No check-in since the opioid was started or increased on \(change)",
                             why: "Re-evaluate benefits and harms within 1 to 4 weeks of starting or increasing an opioid.",
                             since: change.adding(days: 28).description, source: source)]
        }
        let last = checkinDates.max()
        if let last, last.days(until: today) > 90 {
            return [RiskFlag(key: "checkin-overdue", title: "Last check-in was \(last.days(until: today)) days ago",
                             why: "Re-evaluate at least every 3 months while opioids continue.", since: last.adding(days: 90).description,
                             source: source)]
        }
        if last == nil, lastChange == nil {
            return [RiskFlag(key: "checkin-overdue", title: "No check-in recorded", why: "Re-evaluate at least every 3 months while opioids continue.",
                             since: nil, source: source)]
        }
        return []
    }
}
