import AccordCore

/// What a caller asks the store to record; the store adds the author, site and timestamps.
public struct EventDraft: Sendable {
    public var patient: String
    public var payload: EventPayload
    public var parents: [EventID]
    /// For types that are signed: what the signature means and how the patient agreed. Without it the clinician
    /// signs as author, and an agreement's own method says how the patient agreed.
    public var signing: SigningIntent?

    public init(patient: String, payload: EventPayload, parents: [EventID] = [], signing: SigningIntent? = nil) {
        self.patient = patient
        self.payload = payload
        self.parents = parents
        self.signing = signing
    }
}

/// How the clinician signs an entry: in what role, and how the patient agreed.
public struct SigningIntent: Sendable, Equatable {
    public var meaning: SignatureMeaning
    public var patientAgreed: AgreementMethod?

    public init(meaning: SignatureMeaning = .author, patientAgreed: AgreementMethod? = nil) {
        self.meaning = meaning
        self.patientAgreed = patientAgreed
    }
}
