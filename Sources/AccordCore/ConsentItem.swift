/// One topic a clinician confirms was discussed in a mini-consent before an opioid is prescribed or a plan changes.
public struct ConsentItem: Sendable, Identifiable, Equatable {
    /// Stable key used on the command line and in stored events; never renamed once shipped.
    public let id: String
    /// The item's heading.
    public let title: String
    /// Short plain-language points the clinician can use with the patient.
    public let talkingPoints: [String]
    /// Where it comes from.
    public let source: Source

    /// The mini-consent items, in the order they are discussed.
    public static let all: [ConsentItem] = [
        ConsentItem(
            id: "benefit", title: "What to expect and a goal worth working toward",
            talkingPoints: [
                "We are aiming for things you want to do again, like a walk or a night's sleep, not for zero pain.",
                "If the medicine does not help you do more, we will change the plan together.",
            ], source: .cdc2022),
        ConsentItem(
            id: "duration", title: "How long the medicine is meant to be used",
            talkingPoints: [
                "For a new injury or surgery, a few days is usually enough.",
                "For long-lasting pain we look at it again regularly and agree now how we would stop.",
            ], source: .cdc2022),
        ConsentItem(
            id: "side-effects", title: "Common side effects",
            talkingPoints: [
                "Constipation is very common; we can plan for it from the first day.",
                "Nausea, sleepiness and slower thinking can happen; take care driving until you know how it affects you.",
            ], source: .cdc2022),
        ConsentItem(
            id: "serious-risks", title: "Serious risks",
            talkingPoints: [
                "Too much can slow or stop breathing; an overdose can kill.",
                "Falls and broken bones are more likely, especially in older adults.",
                "The body gets used to it (dependence), and some people develop opioid use disorder.",
            ], source: .cdc2022),
        ConsentItem(
            id: "combinations", title: "Alcohol, sleeping pills and other sedatives",
            talkingPoints: [
                "Alcohol, benzodiazepines and other sedating medicines add to the effect on breathing.",
                "Tell us before starting anything that makes you drowsy.",
            ], source: .cdc2022),
        ConsentItem(
            id: "storage", title: "Safe storage and getting rid of leftover pills",
            talkingPoints: [
                "Keep it locked away from children, visitors and pets.",
                "Bring unused pills to a take-back site; do not keep them for later or share them.",
            ], source: .cdc2022),
        ConsentItem(
            id: "naloxone", title: "Naloxone, the overdose-reversal medicine",
            talkingPoints: [
                "Naloxone can reverse an overdose while help is on the way.",
                "Keep it where family or friends can find it, and show them how to use it.",
            ], source: .cdc2022),
        ConsentItem(
            id: "alternatives", title: "Other treatments, tried and still available",
            talkingPoints: [
                "Non-opioid medicines, physical therapy and talking therapies such as CBT can work alongside or instead.",
                "These stay on the table whatever we decide today.",
            ], source: .cdc2022),
    ]

    /// The item with `key`, if any.
    public static func named(_ key: String) -> ConsentItem? { all.first { $0.id == key } }
}

/// What the patient decided at the end of a mini-consent.
public enum ConsentDecision: String, Codable, Sendable, CaseIterable {
    case accepts, declines, deferred
}

/// Where the patient stands with naloxone after the conversation.
public enum NaloxoneStatus: String, Codable, Sendable, CaseIterable {
    case offered, prescribed, declined
    case onHand = "on-hand"
}
