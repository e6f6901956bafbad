import AccordCore

/// What a caller asks the store to record; the store adds the author, site and timestamps.
public struct EventDraft: Sendable {
    public var patient: String
    public var payload: EventPayload
    public var parents: [EventID]

    public init(patient: String, payload: EventPayload, parents: [EventID] = []) {
        self.patient = patient
        self.payload = payload
        self.parents = parents
    }
}
