import AccordCore

/// What a caller asks the store to record; the store adds the author, site and timestamps.
public struct EventDraft: Sendable {
    /// The patient the event is about.
    public var patient: String
    /// What the event records.
    public var payload: EventPayload
    /// The latest events it builds on (`Clinic` computes them).
    public var parents: [EventID]
    /// For types that are signed: what the signature means and how the patient agreed. Without it the clinician
    /// signs as author, and an agreement's own method says how the patient agreed.
    public var signing: SigningIntent?

    /// A draft for `patient`; `signing` says what the clinician's signature means, for entries that are signed.
    public init(patient: String, payload: EventPayload, parents: [EventID] = [], signing: SigningIntent? = nil) {
        self.patient = patient
        self.payload = payload
        self.parents = parents
        self.signing = signing
    }
}

/// How the clinician signs an entry: in what role, and how the patient agreed.
public struct SigningIntent: Sendable, Equatable {
    /// What the clinician's signature means.
    public var meaning: SignatureMeaning
    /// How the patient agreed, signed into the entry.
    public var patientAgreed: AgreementMethod?

    /// A signature of `meaning`, with how the patient agreed when it applies.
    public init(meaning: SignatureMeaning = .author, patientAgreed: AgreementMethod? = nil) {
        self.meaning = meaning
        self.patientAgreed = patientAgreed
    }
}
