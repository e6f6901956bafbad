import AccordCore

extension Clinic {
    /// Signs a treatment agreement from today; a patient has one open agreement at a time.
    public func signAgreement(_ chart: PatientChart, clauses: [String] = AgreementClause.defaultKeys, renewOn: LocalDate? = nil,
                              method: AgreementMethod = .inPerson, note: String? = nil,
                              signing: SigningIntent = SigningIntent()) async throws(ClinicError) -> Recorded {
        let today = chart.today
        try checkCanSignAgreement(chart)
        let renewOn = renewOn ?? today.adding(years: 1)
        guard renewOn > today else { throw ClinicError(.invalid, "The renewal date \(renewOn) must be after the agreement starts (today, \(today)).") }
        try checking { () throws(RuleViolation) in try DateSense.renewal(renewOn, today: today) }
        let agreement = Identifiers.make()
        var recorded = try await record(chart, .agreementSigned(AgreementSigned(
            agreement: agreement, clauses: clauses, effectiveOn: today, renewOn: renewOn, method: method, note: note)), signing: signing)
        recorded.agreement = agreement
        return recorded
    }

    /// Replaces the clauses of an agreement that has not ended, with the reason; signed by the clinician.
    /// Throws unless the patient has no open agreement, so a client can ask before walking the clinician through
    /// the clauses.
    public func checkCanSignAgreement(_ chart: PatientChart) throws(ClinicError) {
        if let open = chart.evaluated().agreements.last(where: { $0.status != .ended }) {
            throw ClinicError(.alreadyExists, "\(chart.record.name) already has a treatment agreement (\(open.id.prefix(8)), \(open.status.rawValue)); amend, renew or end it instead.")
        }
    }

    /// Replaces the clauses of an agreement that has not ended, with the reason; signed by the clinician.
    public func amendAgreement(_ chart: PatientChart, agreement: AgreementState, clauses: [String], reason: String,
                               method: AgreementMethod = .inPerson, signing: SigningIntent = SigningIntent()) async throws(ClinicError) -> Recorded {
        try await onAgreement(chart, agreement, .agreementAmended(AgreementAmended(agreement: agreement.id, clauses: clauses, reason: reason, method: method)), signing)
    }

    /// Renews an agreement that has not ended until `renewOn` (a year from today when nil), which must be ahead.
    public func renewAgreement(_ chart: PatientChart, agreement: AgreementState, renewOn: LocalDate? = nil, method: AgreementMethod = .inPerson,
                               note: String? = nil, signing: SigningIntent = SigningIntent()) async throws(ClinicError) -> Recorded {
        let today = chart.today
        let date = renewOn ?? today.adding(years: 1)
        guard date > today else { throw ClinicError(.invalid, "The renewal date \(date) must be after today (\(today)).") }
        try checking { () throws(RuleViolation) in try DateSense.renewal(date, today: today) }
        return try await onAgreement(chart, agreement, .agreementRenewed(AgreementRenewed(agreement: agreement.id, renewOn: date, method: method, note: note)), signing)
    }

    /// Ends an agreement, with the reason; it takes no more changes afterwards.
    public func endAgreement(_ chart: PatientChart, agreement: AgreementState, reason: String,
                             signing: SigningIntent = SigningIntent()) async throws(ClinicError) -> Recorded {
        try await onAgreement(chart, agreement, .agreementEnded(AgreementEnded(agreement: agreement.id, reason: reason)), signing)
    }

    /// An ended agreement changes no more: a new one is signed instead.
    private func onAgreement(_ chart: PatientChart, _ agreement: AgreementState, _ payload: EventPayload,
                             _ signing: SigningIntent) async throws(ClinicError) -> Recorded {
        guard agreement.status != .ended else {
            throw ClinicError(.notAllowed, "That agreement has ended; sign a new one instead.")
        }
        var recorded = try await record(chart, payload, signing: signing)
        recorded.agreement = agreement.id
        return recorded
    }
}
