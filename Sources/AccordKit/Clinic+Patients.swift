import AccordCore
import AccordStore

extension Clinic {
    /// Registers a patient; an MRN is unique at this site.
    public func registerPatient(name: String, born: LocalDate, mrn: String? = nil) async throws(ClinicError) -> Recorded {
        let mrn = mrn?.trimmingCharacters(in: .whitespaces).isEmpty == false ? mrn : nil
        if let mrn, (try? store.resolvePatient(mrn))?.mrn == mrn {
            throw ClinicError(.alreadyExists, "A patient with MRN '\(mrn)' is already registered.")
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
        return try await record(chart, .demographicsCorrected(DemographicsCorrected(name: name, born: born, mrn: mrn, reason: reason)))
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

    /// Overdose risk factors found present or absent, and when the patient started opioids (not in the future).
    public func recordRiskFactors(_ chart: PatientChart, _ factors: RiskFactorsRecorded) async throws(ClinicError) -> Recorded {
        if let since = factors.onOpioidsSince, since > chart.today {
            throw ClinicError(.invalid, "The start of opioids (\(since)) is after today (\(chart.today)).")
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

    /// Replaces the medication list; nothing is written unless every line reads.
    public func recordMedications(_ chart: PatientChart, _ texts: [String], reason: String? = nil,
                                  confirmUnusual: Bool = false) async throws(ClinicError) -> (recorded: Recorded, mme: MMEResult) {
        let lines = try Self.readMedications(texts, confirmUnusual: confirmUnusual)
        let recorded = try await record(chart, .medicationsChanged(MedicationsChanged(medications: texts, reason: reason)))
        return (recorded, MMECalculator.compute(lines))
    }

    /// Records a check-in; returns the flags it raises for a taper in progress, to show at once.
    public func recordCheckin(_ chart: PatientChart, _ checkin: CheckinRecorded) async throws(ClinicError) -> (recorded: Recorded, taperFlags: [RiskFlag]) {
        guard checkin != CheckinRecorded() else { throw ClinicError(.invalid, "A check-in needs at least one finding.") }
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
