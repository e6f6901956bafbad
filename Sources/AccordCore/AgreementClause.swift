/// A clause of a treatment agreement, in the project's own words.
public struct AgreementClause: Sendable, Identifiable, Equatable {
    /// Stable key used on the command line and in stored events; never renamed once shipped.
    public let id: String
    /// The clause in plain words.
    public let text: String
    /// Where the clause comes from.
    public let source: Source

    /// The clauses commonly agreed; the default agreement includes all of them.
    public static let all: [AgreementClause] = [
        AgreementClause(id: "one-prescriber", text: "One clinician (or one named team) prescribes your opioid medicine.", source: .cdc2022),
        AgreementClause(id: "one-pharmacy", text: "You fill your opioid prescriptions at one pharmacy.", source: .cdc2022),
        AgreementClause(id: "no-early-refills", text: "Refills come on schedule; an early refill needs a documented emergency.", source: .cdc2022),
        AgreementClause(id: "lost-or-stolen", text: "Lost or stolen medicine is reported to the clinic (and to police if stolen) before anything is replaced.", source: .cdc2022),
        AgreementClause(id: "pdmp-checks", text: "The clinic checks the state prescription monitoring database at the start and from time to time.", source: .cdc2022),
        AgreementClause(id: "urine-tests", text: "You agree to periodic urine drug tests, used to keep treatment safe.", source: .cdc2022),
        AgreementClause(id: "safe-storage", text: "You keep the medicine locked and out of reach of others.", source: .cdc2022),
        AgreementClause(id: "no-sharing", text: "You do not share, sell or trade the medicine.", source: .cdc2022),
        AgreementClause(id: "no-sedatives", text: "No alcohol, sleeping pills or other sedatives without talking to us first.", source: .cdc2022),
        AgreementClause(id: "keep-appointments", text: "You come to follow-up visits so we can see how the plan is working.", source: .cdc2022),
        AgreementClause(id: "if-not-kept", text: "If the agreement is not kept we move to a safer plan together; we do not stop caring for you.", source: .hhs2019),
    ]

    /// Every clause's key, the default agreement.
    public static var defaultKeys: [String] { all.map(\.id) }

    /// The clause with `key`, if any.
    public static func named(_ key: String) -> AgreementClause? { all.first { $0.id == key } }
}

/// How the patient gave agreement, recorded with (and, once signatures exist, signed into) the event.
public enum AgreementMethod: String, Codable, Sendable, CaseIterable {
    case inPerson = "in-person"
    case verbal
    case paper
}
