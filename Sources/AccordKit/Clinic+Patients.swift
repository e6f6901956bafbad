import AccordCore
import AccordStore
import Foundation

extension Clinic {
    /// Registers a patient; an MRN is unique at this site. A patient with the same name (ignoring case and accents)
    /// and birth date is a likely duplicate: registering another needs `confirmDuplicate`.
    public func registerPatient(name: String, born: LocalDate, mrn: String? = nil, confirmDuplicate: Bool = false) async throws(ClinicError) -> Recorded {
        let mrn = mrn?.trimmingCharacters(in: .whitespaces).isEmpty == false ? mrn : nil
        if let mrn, (try? store.resolvePatient(mrn))?.mrn == mrn {
            throw ClinicError(.alreadyExists, "A patient with MRN '\(mrn)' is already registered.")
        }
        let today = try today()
        try checking { () throws(RuleViolation) in try DateSense.birth(born, today: today) }
        if !confirmDuplicate {
            let key = PatientSearch.folded(name)
            let twins = try patients().filter { $0.born == born && PatientSearch.folded($0.name) == key }
            if let twin = twins.first {
                throw ClinicError(.likelyDuplicate, "\(twin.name), born \(twin.born)\(twin.mrn.map { ", MRN \($0)" } ?? ""), is already registered as patient \(twin.id); this may be the same person.")
            }
        }
        let patient = Identifiers.make()
        return try await append(EventDraft(patient: patient, payload: .patientRegistered(
            PatientRegistered(name: name.trimmingCharacters(in: .whitespaces), born: born, mrn: mrn))))
    }

    /// Corrects the name, birth date or MRN; the earlier values stay in the timeline.
    public func correctDemographics(_ chart: PatientChart, name: String? = nil, born: LocalDate? = nil, mrn: String? = nil,
                                    reason: String) async throws(ClinicError) -> Recorded {
        guard name != nil || born != nil || mrn != nil else {
            throw ClinicError(.invalid, "Give at least one of the name, birth date or MRN to correct.")
        }
        if let born { try checking { () throws(RuleViolation) in try DateSense.birth(born, today: chart.today) } }
        return try await record(chart, .demographicsCorrected(DemographicsCorrected(name: name, born: born, mrn: mrn, reason: reason)))
    }

    /// Patients whose name holds every word of `text` (ignoring case and accents), whose MRN is `text`, whose birth
    /// date is `text` (YYYY-MM-DD), or whose id starts with it; by name.
    public func findPatients(_ text: String) throws(ClinicError) -> [PatientDirectoryEntry] {
        let query = text.trimmingCharacters(in: .whitespaces)
        guard !query.isEmpty else { throw ClinicError(.invalid, "Give part of a name, an MRN or a birth date (YYYY-MM-DD) to search for.") }
        return try patients().filter { PatientSearch.matches($0, query) }
    }

    /// Adds a site to the patient's care team; the server then sends that site the whole record.
    public func share(_ chart: PatientChart, with site: String, reason: String? = nil) async throws(ClinicError) -> Recorded {
        guard site != store.identity.site else { throw ClinicError(.invalid, "This store is site '\(site)' already; name the other site.") }
        guard !chart.record.sharedWith.contains(site) else {
            throw ClinicError(.alreadyExists, "\(chart.record.name)'s record is already shared with '\(site)'.")
        }
        return try await record(chart, .patientShared(PatientShared(site: site, reason: reason)))
    }

    /// A free-text note.
    public func addNote(_ chart: PatientChart, text: String) async throws(ClinicError) -> Recorded {
        try await record(chart, .noteAdded(NoteAdded(text: text)))
    }

    /// Overdose risk factors found present or absent, and when the patient started opioids (not in the future,
    /// not before birth; it may be long before the patient was registered here).
    public func recordRiskFactors(_ chart: PatientChart, _ factors: RiskFactorsRecorded) async throws(ClinicError) -> Recorded {
        if let since = factors.onOpioidsSince, since > chart.today {
            throw ClinicError(.invalid, "The start of opioids (\(since)) is after today (\(chart.today)).")
        }
        if let since = factors.onOpioidsSince, since < chart.record.born {
            throw ClinicError(.invalid, "The start of opioids (\(since)) is before the patient was born (\(chart.record.born)); check the year.")
        }
        return try await record(chart, .riskFactorsRecorded(factors))
    }

    /// Reads medication lines as written; every line must read, and a dose outside plausible limits needs
    /// `confirmUnusual`. Returns the lines for a client to show.
    public static func readMedications(_ texts: [String], confirmUnusual: Bool = false) throws(ClinicError) -> [MedicationLine] {
        var lines: [MedicationLine] = []
        for text in texts {
            let line: MedicationLine
            do { line = try MedicationReader.read(text) } catch { throw ClinicError(.invalid, error.description) }
            let concerns = DoseLimits.concerns(line)
            guard concerns.isEmpty || confirmUnusual else {
                throw ClinicError(.unusualDose, "\"\(text)\" looks unusual: \(concerns.joined(separator: "; ")). Check the line; record it only if it is what was prescribed.")
            }
            lines.append(line)
        }
        return lines
    }

    /// Replaces the medication list, in effect from `on` (today when nil, never before the current list's day);
    /// nothing is written unless every line reads.
    public func recordMedications(_ chart: PatientChart, _ texts: [String], reason: String? = nil, on day: LocalDate? = nil,
                                  confirmUnusual: Bool = false) async throws(ClinicError) -> (recorded: Recorded, mme: MMEResult) {
        let lines = try Self.readMedications(texts, confirmUnusual: confirmUnusual)
        if let day = try observedDay(chart, day, "medication list"), let current = chart.record.medicationHistory.last?.day(chart.calendar), day < current {
            throw ClinicError(.invalid, "The list would take effect on \(day), before the current list (\(current)); enter lists in the order they took effect, or correct the current one.")
        }
        let recorded = try await record(chart, .medicationsChanged(MedicationsChanged(medications: texts, reason: reason, on: day)))
        return (recorded, MMECalculator.compute(lines))
    }

    /// Records a check-in; returns the flags it raises for a taper in progress, to show at once.
    public func recordCheckin(_ chart: PatientChart, _ checkin: CheckinRecorded) async throws(ClinicError) -> (recorded: Recorded, taperFlags: [RiskFlag]) {
        var findings = checkin
        findings.on = nil
        guard findings != CheckinRecorded() else { throw ClinicError(.invalid, "A check-in needs at least one finding.") }
        let visit = try observedDay(chart, checkin.on, "check-in") ?? chart.today
        if let next = checkin.nextVisit {
            try checking { () throws(RuleViolation) in try DateSense.nextVisit(next, after: visit, today: chart.today) }
        }
        let recorded = try await record(chart, .checkinRecorded(checkin))
        let after = try self.chart(chart.record.id)
        let flags = PatientFlags.evaluate(after.record, on: after.today, settings: FlagSettings(calendar: after.calendar))
        return (recorded, flags.filter { $0.key == "taper-consider-pause" })
    }

    /// The mini-consent, signed by the clinician.
    public func recordConsent(_ chart: PatientChart, _ consent: ConsentRecorded, signing: SigningIntent = SigningIntent()) async throws(ClinicError) -> Recorded {
        try await record(chart, .consentRecorded(consent), signing: signing)
    }
}
