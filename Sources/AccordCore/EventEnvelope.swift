/// The clinician who wrote an event. The printed name travels with every event, as a signature must show it.
public struct Author: Codable, Sendable, Hashable {
    /// The clinician's id.
    public var id: String
    /// The clinician's printed name.
    public var name: String
    /// An author.
    public init(id: String, name: String) { self.id = id; self.name = name }
}

/// Everything an event says: who wrote what about which patient, where and when, and what it builds on.
public struct EventEnvelope: Sendable, Hashable {
    /// The event type, from the payload.
    public var type: EventType { payload.type }
    /// The payload's schema version.
    public var schema: Int
    /// The patient the event is about.
    public var patient: String
    /// Who recorded it.
    public var author: Author
    /// Where it was recorded.
    public var site: String
    /// Its hybrid logical clock timestamp, which orders the fold.
    public var hlc: HLCTimestamp
    /// Wall-clock time at the writing site, ISO 8601 UTC; for people to read, never for ordering.
    public var recorded: String
    /// The events this one builds on, sorted so the canonical bytes do not depend on how they were gathered.
    public var parents: [EventID]
    /// What it records.
    public var payload: EventPayload
    /// Present on signed events: the signer's key, the meaning of the signature and how the patient agreed.
    public var signing: Signing?

    /// An envelope; `schema` defaults to the type's current version.
    public init(schema: Int? = nil, patient: String, author: Author, site: String, hlc: HLCTimestamp,
                recorded: String, parents: [EventID], payload: EventPayload, signing: Signing? = nil) {
        self.schema = schema ?? payload.type.currentSchemaVersion
        self.patient = patient
        self.author = author
        self.site = site
        self.hlc = hlc
        self.recorded = recorded
        self.parents = Array(Set(parents)).sorted()
        self.payload = payload
        self.signing = signing
    }
}

extension EventEnvelope: Codable {
    enum CodingKeys: String, CodingKey { case type, schema, patient, author, site, hlc, recorded, parents, payload, signing }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(EventType.self, forKey: .type)
        schema = try container.decode(Int.self, forKey: .schema)
        patient = try container.decode(String.self, forKey: .patient)
        author = try container.decode(Author.self, forKey: .author)
        site = try container.decode(String.self, forKey: .site)
        hlc = try container.decode(HLCTimestamp.self, forKey: .hlc)
        recorded = try container.decode(String.self, forKey: .recorded)
        parents = try container.decode([EventID].self, forKey: .parents)
        payload = try EventPayload.decode(type, from: try container.superDecoder(forKey: .payload))
        signing = try container.decodeIfPresent(Signing.self, forKey: .signing)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        try container.encode(schema, forKey: .schema)
        try container.encode(patient, forKey: .patient)
        try container.encode(author, forKey: .author)
        try container.encode(site, forKey: .site)
        try container.encode(hlc, forKey: .hlc)
        try container.encode(recorded, forKey: .recorded)
        try container.encode(parents, forKey: .parents)
        try payload.encode(to: container.superEncoder(forKey: .payload))
        try container.encodeIfPresent(signing, forKey: .signing)
    }
}
