import Foundation

/// The payload of an event, one case per `EventType`. Encoded as a plain JSON object; decoding needs the type,
/// which the envelope carries beside it.
public indirect enum EventPayload: Sendable, Hashable {
    case patientRegistered(PatientRegistered)
    case demographicsCorrected(DemographicsCorrected)
    case goalSet(GoalSet)
    case goalRevised(GoalRevised)
    case goalReviewed(GoalReviewed)
    case goalMet(GoalMet)
    case goalDropped(GoalDropped)
    case consentRecorded(ConsentRecorded)
    case agreementSigned(AgreementSigned)
    case agreementAmended(AgreementAmended)
    case agreementRenewed(AgreementRenewed)
    case agreementEnded(AgreementEnded)
    case taperStarted(TaperStarted)
    case taperAdjusted(TaperAdjusted)
    case taperPaused(TaperPaused)
    case taperResumed(TaperResumed)
    case taperCompleted(TaperCompleted)
    case checkinRecorded(CheckinRecorded)
    case medicationsChanged(MedicationsChanged)
    case noteAdded(NoteAdded)
    case riskFactorsRecorded(RiskFactorsRecorded)
    case patientShared(PatientShared)
    case entryCorrected(EntryCorrected)
    case entryEnteredInError(EntryEnteredInError)
    case conflictResolved(ConflictResolved)
    case urineDrugTestRecorded(UrineDrugTestRecorded)
    case pdmpChecked(PDMPChecked)
    case findingDiscussed(FindingDiscussed)

    /// The event type this payload belongs to.
    public var type: EventType {
        switch self {
        case .patientRegistered: .patientRegistered
        case .demographicsCorrected: .demographicsCorrected
        case .goalSet: .goalSet
        case .goalRevised: .goalRevised
        case .goalReviewed: .goalReviewed
        case .goalMet: .goalMet
        case .goalDropped: .goalDropped
        case .consentRecorded: .consentRecorded
        case .agreementSigned: .agreementSigned
        case .agreementAmended: .agreementAmended
        case .agreementRenewed: .agreementRenewed
        case .agreementEnded: .agreementEnded
        case .taperStarted: .taperStarted
        case .taperAdjusted: .taperAdjusted
        case .taperPaused: .taperPaused
        case .taperResumed: .taperResumed
        case .taperCompleted: .taperCompleted
        case .checkinRecorded: .checkinRecorded
        case .medicationsChanged: .medicationsChanged
        case .noteAdded: .noteAdded
        case .riskFactorsRecorded: .riskFactorsRecorded
        case .patientShared: .patientShared
        case .entryCorrected: .entryCorrected
        case .entryEnteredInError: .entryEnteredInError
        case .conflictResolved: .conflictResolved
        case .urineDrugTestRecorded: .urineDrugTestRecorded
        case .pdmpChecked: .pdmpChecked
        case .findingDiscussed: .findingDiscussed
        }
    }

    var value: any Encodable & Sendable {
        switch self {
        case .patientRegistered(let p): p
        case .demographicsCorrected(let p): p
        case .goalSet(let p): p
        case .goalRevised(let p): p
        case .goalReviewed(let p): p
        case .goalMet(let p): p
        case .goalDropped(let p): p
        case .consentRecorded(let p): p
        case .agreementSigned(let p): p
        case .agreementAmended(let p): p
        case .agreementRenewed(let p): p
        case .agreementEnded(let p): p
        case .taperStarted(let p): p
        case .taperAdjusted(let p): p
        case .taperPaused(let p): p
        case .taperResumed(let p): p
        case .taperCompleted(let p): p
        case .checkinRecorded(let p): p
        case .medicationsChanged(let p): p
        case .noteAdded(let p): p
        case .riskFactorsRecorded(let p): p
        case .patientShared(let p): p
        case .entryCorrected(let p): p
        case .entryEnteredInError(let p): p
        case .conflictResolved(let p): p
        case .urineDrugTestRecorded(let p): p
        case .pdmpChecked(let p): p
        case .findingDiscussed(let p): p
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
    }

    /// Decodes the payload of an event of `type` from `decoder`.
    public static func decode(_ type: EventType, from decoder: any Decoder) throws -> EventPayload {
        switch type {
        case .patientRegistered: .patientRegistered(try .init(from: decoder))
        case .demographicsCorrected: .demographicsCorrected(try .init(from: decoder))
        case .goalSet: .goalSet(try .init(from: decoder))
        case .goalRevised: .goalRevised(try .init(from: decoder))
        case .goalReviewed: .goalReviewed(try .init(from: decoder))
        case .goalMet: .goalMet(try .init(from: decoder))
        case .goalDropped: .goalDropped(try .init(from: decoder))
        case .consentRecorded: .consentRecorded(try .init(from: decoder))
        case .agreementSigned: .agreementSigned(try .init(from: decoder))
        case .agreementAmended: .agreementAmended(try .init(from: decoder))
        case .agreementRenewed: .agreementRenewed(try .init(from: decoder))
        case .agreementEnded: .agreementEnded(try .init(from: decoder))
        case .taperStarted: .taperStarted(try .init(from: decoder))
        case .taperAdjusted: .taperAdjusted(try .init(from: decoder))
        case .taperPaused: .taperPaused(try .init(from: decoder))
        case .taperResumed: .taperResumed(try .init(from: decoder))
        case .taperCompleted: .taperCompleted(try .init(from: decoder))
        case .checkinRecorded: .checkinRecorded(try .init(from: decoder))
        case .medicationsChanged: .medicationsChanged(try .init(from: decoder))
        case .noteAdded: .noteAdded(try .init(from: decoder))
        case .riskFactorsRecorded: .riskFactorsRecorded(try .init(from: decoder))
        case .patientShared: .patientShared(try .init(from: decoder))
        case .entryCorrected: .entryCorrected(try .init(from: decoder))
        case .entryEnteredInError: .entryEnteredInError(try .init(from: decoder))
        case .conflictResolved: .conflictResolved(try .init(from: decoder))
        case .urineDrugTestRecorded: .urineDrugTestRecorded(try .init(from: decoder))
        case .pdmpChecked: .pdmpChecked(try .init(from: decoder))
        case .findingDiscussed: .findingDiscussed(try .init(from: decoder))
        }
    }

    /// The goal, agreement or taper plan this event changes, if any: events on one entity form a chain whose
    /// concurrent branches are conflicts.
    public var entity: EntityKey? {
        switch self {
        case .patientRegistered, .demographicsCorrected: .demographics
        case .goalSet(let p): .goal(p.goal)
        case .goalRevised(let p): .goal(p.goal)
        case .goalReviewed(let p): .goal(p.goal)
        case .goalMet(let p): .goal(p.goal)
        case .goalDropped(let p): .goal(p.goal)
        case .agreementSigned(let p): .agreement(p.agreement)
        case .agreementAmended(let p): .agreement(p.agreement)
        case .agreementRenewed(let p): .agreement(p.agreement)
        case .agreementEnded(let p): .agreement(p.agreement)
        case .taperStarted(let p): .taperPlan(p.plan)
        case .taperAdjusted(let p): .taperPlan(p.plan)
        case .taperPaused(let p): .taperPlan(p.plan)
        case .taperResumed(let p): .taperPlan(p.plan)
        case .taperCompleted(let p): .taperPlan(p.plan)
        case .medicationsChanged: .medications
        case .conflictResolved(let p): p.entity
        case .consentRecorded, .checkinRecorded, .noteAdded, .riskFactorsRecorded, .patientShared, .entryCorrected, .entryEnteredInError,
             .urineDrugTestRecorded, .pdmpChecked, .findingDiscussed: nil
        }
    }
}

/// A part of a patient's record that is changed step by step, so two sites can change it concurrently.
public enum EntityKey: Hashable, Sendable, Codable, CustomStringConvertible {
    case demographics
    case medications
    case goal(String)
    case agreement(String)
    case taperPlan(String)

    /// What kind of part it is, in words: "demographics", "medication list", "goal", "agreement", "taper plan".
    public var kind: String {
        switch self {
        case .demographics: "demographics"
        case .medications: "medication list"
        case .goal: "goal"
        case .agreement: "agreement"
        case .taperPlan: "taper plan"
        }
    }

    /// "demographics", "medications", or the kind and id ("goal <id>").
    public var description: String {
        switch self {
        case .demographics: "demographics"
        case .medications: "medications"
        case .goal(let id): "goal \(id)"
        case .agreement(let id): "agreement \(id)"
        case .taperPlan(let id): "taper plan \(id)"
        }
    }

    /// Reads the text `description` writes ("goal <id>").
    public init?(_ text: String) {
        switch text {
        case "demographics": self = .demographics
        case "medications": self = .medications
        case _ where text.hasPrefix("goal "): self = .goal(String(text.dropFirst(5)))
        case _ where text.hasPrefix("agreement "): self = .agreement(String(text.dropFirst(10)))
        case _ where text.hasPrefix("taper plan "): self = .taperPlan(String(text.dropFirst(11)))
        default: return nil
        }
    }

    /// Written as its description, so `--json` shows "goal <id>".
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let key = EntityKey(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an entity: \(text)"))
        }
        self = key
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Replaces an earlier entry's content: the original stays readable, the record uses `replacement`.
public struct EntryCorrected: Codable, Sendable, Hashable {
    /// The entry corrected.
    public var target: EventID
    /// Why, in the clinician's words.
    public var reason: String
    /// The entry's corrected content.
    public var replacement: EventPayload

    /// A correction of `target`.
    public init(target: EventID, reason: String, replacement: EventPayload) {
        self.target = target; self.reason = reason; self.replacement = replacement
    }

    enum CodingKeys: String, CodingKey { case target, targetType, reason, replacement }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        target = try container.decode(EventID.self, forKey: .target)
        reason = try container.decode(String.self, forKey: .reason)
        let type = try container.decode(EventType.self, forKey: .targetType)
        guard type != .entryCorrected, type != .entryEnteredInError else {
            throw DecodingError.dataCorruptedError(forKey: .targetType, in: container,
                                                   debugDescription: "a correction cannot replace another correction")
        }
        replacement = try EventPayload.decode(type, from: try container.superDecoder(forKey: .replacement))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(target, forKey: .target)
        try container.encode(replacement.type, forKey: .targetType)
        try container.encode(reason, forKey: .reason)
        try replacement.encode(to: container.superEncoder(forKey: .replacement))
    }
}

extension EventPayload {
    /// Decodes a payload of `type` from its JSON object alone.
    public static func decode(_ type: EventType, json: Data) throws -> EventPayload {
        let decoder = JSONDecoder()
        decoder.userInfo[PayloadBox.typeKey] = type
        return try decoder.decode(PayloadBox.self, from: json).payload
    }

    /// The payload's JSON object, for tools that edit a copy of it (a correction starts from the original).
    public func jsonObject() throws -> [String: Any] {
        let data = try CanonicalJSON.encode(PayloadEncoding(payload: self))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
}

private struct PayloadEncoding: Encodable {
    let payload: EventPayload
    func encode(to encoder: any Encoder) throws { try payload.encode(to: encoder) }
}

private struct PayloadBox: Decodable {
    static let typeKey = CodingUserInfoKey(rawValue: "accord.eventType")!
    let payload: EventPayload
    init(from decoder: any Decoder) throws {
        guard let type = decoder.userInfo[Self.typeKey] as? EventType else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no event type given"))
        }
        payload = try EventPayload.decode(type, from: decoder)
    }
}
