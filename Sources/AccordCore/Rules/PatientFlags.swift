/// Settings for the flags a site may tune.
public struct FlagSettings: Sendable, Equatable {
    /// A PDMP check older than this many days is flagged.
    public var pdmpDays: Int
    /// An agreement whose renewal date is this close is flagged as due.
    public var renewalNoticeDays: Int

    public init(pdmpDays: Int = 90, renewalNoticeDays: Int = 30) {
        self.pdmpDays = pdmpDays
        self.renewalNoticeDays = renewalNoticeDays
    }
}

/// The flags a patient's record raises on a given day, each with why, since when and its source.
public enum PatientFlags {
    public static func evaluate(_ record: PatientRecord, on today: LocalDate, settings: FlagSettings = FlagSettings()) -> [RiskFlag] {
        assess(record, on: today, settings: settings).flags
    }

    /// The current list's MME and the flags, reading each medication line once.
    public static func assess(_ record: PatientRecord, on today: LocalDate, settings: FlagSettings = FlagSettings()) -> (mme: MMEResult, flags: [RiskFlag]) {
        var flags: [RiskFlag] = []
        let history = record.medicationSummaries
        let medicationSince = record.medicationHistory.last?.stamp.at
        var lines: [MedicationLine] = []
        for text in record.medications {
            do { lines.append(try MedicationReader.read(text)) } catch {
                flags.append(RiskFlag(key: "medication-unreadable", title: "A medication line could not be read",
                                      why: "\(error.description). It is left out of the MME total until the list is corrected (accord meds).",
                                      since: medicationSince, source: Source.mmeGuide.rawValue))
            }
        }
        let mme = MMECalculator.compute(lines)
        flags += MedicationFlags.flags(total: mme.totalMME, lines: lines, since: medicationSince)
        let onOpioids = lines.contains { $0.drug?.kind == .opioid }

        // Naloxone: indicated at 50 MME/day or with a CNS depressant.
        let indicated = MMECalculator.atLeast(mme.totalMME, MedicationFlags.reassessThreshold) || flags.contains { $0.key == "cns-depressant" }
        if indicated, !naloxoneOnHand(record, lines) {
            flags.append(RiskFlag(key: "naloxone-not-on-hand", title: "Naloxone indicated but not on hand",
                                  why: "At 50 MME/day or more, or with a benzodiazepine or other CNS depressant, offer naloxone; no consent, check-in or medication list shows the patient has it.",
                                  since: medicationSince, source: Source.cdc2022.rawValue))
        }

        if onOpioids {
            let lastPDMP = record.checkins.last { $0.recorded.pdmpChecked == true }
            let lastDate = lastPDMP.flatMap { LocalDate(String($0.stamp.at.prefix(10))) }
            if lastDate.map({ $0.days(until: today) > settings.pdmpDays }) ?? true {
                flags.append(RiskFlag(key: "pdmp-overdue", title: "No PDMP check in the last \(settings.pdmpDays) days",
                                      why: lastDate.map { "The last recorded PDMP check was on \($0)." } ?? "No PDMP check is recorded. Check it at the start and periodically.",
                                      since: lastDate?.description, source: Source.cdc2022.rawValue))
            }
            flags += reevaluation(record, history: history, today: today)
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
            guard let line = try? MedicationReader.read(plan.medication), let start = line.dailyDose,
                  let unit = line.drug?.strengths.first, let first = plan.steps.first else { continue }
            let duration = plan.durationOfUse ?? .longTerm
            if let flag = TaperPace.check(steps: plan.steps, startingDose: start, duration: duration, smallestUnit: unit, startedOn: first.on.adding(days: -plan.intervalDays)) {
                flags.append(flag)
            }
        }

        if onOpioids, let since = MedicationHistory.opioidsSince(history), since.days(until: today) >= 90, !record.goals.contains(where: { $0.status == .active }) {
            flags.append(RiskFlag(key: "no-functional-goal", title: "On opioids for \(since.days(until: today)) days with no active functional goal",
                                  why: "Set goals about function (walking, sleep, work) and an exit plan; reassess whether the opioid helps reach them.",
                                  since: since.description, source: Source.cdc2022.rawValue))
        }
        return (mme, flags)
    }

    static func naloxoneOnHand(_ record: PatientRecord, _ lines: [MedicationLine]) -> Bool {
        if lines.contains(where: { $0.drug?.kind == .naloxone }) { return true }
        // The latest statement wins: a check-in saying "not on hand" overrides an older consent.
        var statements: [(String, Bool)] = record.consents.map { ($0.stamp.at, $0.naloxone == .onHand || $0.naloxone == .prescribed) }
        statements += record.checkins.compactMap { checkin in checkin.recorded.naloxoneOnHand.map { (checkin.stamp.at, $0) } }
        return statements.max { $0.0 < $1.0 }?.1 ?? false
    }

    /// Re-evaluate 1 to 4 weeks after a start or an increase, then at least every 3 months (CDC 2022, rec. 7).
    static func reevaluation(_ record: PatientRecord, history: [MedicationListSummary], today: LocalDate) -> [RiskFlag] {
        let lastChange = MedicationHistory.lastStartOrIncrease(history)
        let checkinDates = record.checkins.compactMap { LocalDate(String($0.stamp.at.prefix(10))) }
        if let change = lastChange, !checkinDates.contains(where: { $0 >= change }), change.days(until: today) > 28 {
            return [RiskFlag(key: "reevaluation-overdue", title: "No check-in since the opioid was started or increased on \(change)",
                             why: "Re-evaluate benefits and harms within 1 to 4 weeks of starting or increasing an opioid.",
                             since: change.adding(days: 28).description, source: Source.cdc2022.rawValue)]
        }
        let last = checkinDates.max()
        if let last, last.days(until: today) > 90 {
            return [RiskFlag(key: "checkin-overdue", title: "Last check-in was \(last.days(until: today)) days ago",
                             why: "Re-evaluate at least every 3 months while opioids continue.", since: last.adding(days: 90).description,
                             source: Source.cdc2022.rawValue)]
        }
        if last == nil, lastChange == nil {
            return [RiskFlag(key: "checkin-overdue", title: "No check-in recorded", why: "Re-evaluate at least every 3 months while opioids continue.",
                             since: nil, source: Source.cdc2022.rawValue)]
        }
        return []
    }
}
