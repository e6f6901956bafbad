/// Responses for the moments when a conversation about opioids gets hard. Each response acknowledges the
/// patient, restates the safety reason, keeps the boundary and offers a next step, in Accord's own words.
public struct CoachingSituation: Sendable, Identifiable, Equatable {
    public let id: String
    public let patientSays: String
    public let responses: [String]
    /// Set where the clinic's own protocol takes over from conversation.
    public let escalation: String?
    public let source: Source

    public static let all: [CoachingSituation] = [
        CoachingSituation(
            id: "only-thing", patientSays: "\"This is the only thing that works for me.\"",
            responses: [
                "I believe you that it has helped, and I am not going to take away your relief without a plan.",
                "What worries me is that the risks grow over time, even when the dose stays the same.",
                "Let's pick one thing you want to be able to do and try adding something alongside it, like physical therapy or a different medicine, so you are not relying on one thing.",
            ], escalation: nil, source: .hhs2019),
        CoachingSituation(
            id: "last-doctor", patientSays: "\"My last doctor had no problem prescribing this.\"",
            responses: [
                "It sounds like that arrangement worked for you, and a change can feel unfair.",
                "What we know about safe doses has changed, and I follow the same approach with every patient.",
                "I'd like to look at your records together and agree on a plan we can both stand behind.",
            ], escalation: nil, source: .cdc2022),
        CoachingSituation(
            id: "dont-trust-me", patientSays: "\"You don't trust me?\"",
            responses: [
                "This isn't about trust in you as a person; I'd say the same to anyone on this medicine.",
                "Checks like the prescription database and urine tests are how I keep every patient safe, including you.",
                "Let's go through what the agreement asks of both of us, so nothing feels like a surprise.",
            ], escalation: nil, source: .cdc2022),
        CoachingSituation(
            id: "elsewhere", patientSays: "\"If you stop my meds I'll just get them somewhere else.\"",
            responses: [
                "I hear how scared you are of being in pain, and I don't want you to end up there.",
                "Pills from the street are often laced with fentanyl; that is exactly the danger I am trying to keep you from.",
                "We'll go slowly, and if it gets too hard we pause. Let me also make sure you have naloxone at home.",
                "If you feel you can't control your use, there is treatment that helps, and I can arrange it today.",
            ], escalation: nil, source: .hhs2019),
        CoachingSituation(
            id: "punishing", patientSays: "\"You're punishing me.\"",
            responses: [
                "I can see why it feels that way, and I'm sorry this is hard.",
                "Changing the plan is about your safety, not about anything you did.",
                "I'm not going anywhere: we'll keep seeing each other and adjust together as we go.",
            ], escalation: nil, source: .hhs2019),
        CoachingSituation(
            id: "anger-or-tears", patientSays: "Anger or tears",
            responses: [
                "Pause, and name what you see: \"This is really upsetting, and that makes sense.\"",
                "Give the patient time before returning to the plan; nothing has to be settled in this minute.",
                "Offer a concrete next step, such as a call in a few days or a visit with the team's pharmacist or behavioral health.",
            ], escalation: nil, source: .hhs2019),
        CoachingSituation(
            id: "crisis", patientSays: "Suicidal thoughts, or signs of diversion",
            responses: [
                "Stop the taper conversation and ask directly about safety; stay with the patient.",
                "Do not stop opioids abruptly in a crisis; abrupt stops raise the risk of overdose and suicide.",
            ], escalation: "Follow your clinic's protocol now: suicide risk assessment and crisis line, or the diversion protocol; consider medication for opioid use disorder.",
            source: .hhs2019),
    ]

    public static func named(_ key: String) -> CoachingSituation? { all.first { $0.id == key } }
}

/// The flows that offer coaching at a key press, with the situations most likely there.
public enum CoachingStep: String, Sendable {
    case consent, agreement, taper, checkin

    public var situations: [CoachingSituation] {
        let keys: [String] = switch self {
        case .consent: ["only-thing", "last-doctor", "anger-or-tears"]
        case .agreement: ["dont-trust-me", "last-doctor", "punishing"]
        case .taper: ["only-thing", "elsewhere", "punishing", "crisis"]
        case .checkin: ["only-thing", "anger-or-tears", "crisis"]
        }
        return keys.compactMap(CoachingSituation.named)
    }
}
