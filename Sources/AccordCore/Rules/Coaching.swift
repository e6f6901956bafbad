/// One thing to say or do, in Accord's own words, with the source it rests on.
public struct TalkingPoint: Sendable, Equatable, Codable {
    /// What to say or do.
    public let text: String
    /// Where it rests.
    public let source: Source

    /// A talking point.
    public init(_ text: String, _ source: Source) { self.text = text; self.source = source }
}

/// Responses for the moments when a conversation about opioids gets hard. Each response acknowledges the
/// patient, restates the safety reason, keeps the boundary and offers a next step.
public struct CoachingSituation: Sendable, Identifiable, Equatable {
    /// A stable key (`accord coach KEY`).
    public let id: String
    /// What the patient says or does.
    public let patientSays: String
    /// Ways to respond.
    public let responses: [TalkingPoint]
    /// Set where the clinic's own protocol takes over from conversation.
    public let escalation: TalkingPoint?

    /// Every situation, in the order shown.
    public static let all: [CoachingSituation] = [
        CoachingSituation(
            id: "only-thing", patientSays: "\"This is the only thing that works for me.\"",
            responses: [
                TalkingPoint("I believe you that it has helped, and I am not going to take away your relief without a plan.", .hhs2019),
                TalkingPoint("What worries me is that the risks grow over time, even when the dose stays the same.", .cdc2022),
                TalkingPoint("Let's pick one thing you want to be able to do and try adding something alongside it, like physical therapy or a different medicine, so you are not relying on one thing.", .cdc2022),
            ], escalation: nil),
        CoachingSituation(
            id: "last-doctor", patientSays: "\"My last doctor had no problem prescribing this.\"",
            responses: [
                TalkingPoint("It sounds like that arrangement worked for you, and a change can feel unfair.", .hhs2019),
                TalkingPoint("What we know about safe doses has changed, and I follow the same approach with every patient.", .cdc2022),
                TalkingPoint("I'd like to look at your records together and agree on a plan we can both stand behind.", .hhs2019),
            ], escalation: nil),
        CoachingSituation(
            id: "dont-trust-me", patientSays: "\"You don't trust me?\"",
            responses: [
                TalkingPoint("This isn't about trust in you as a person; I'd say the same to anyone on this medicine.", .cdc2022),
                TalkingPoint("Checks like the prescription database and urine tests are how I keep every patient safe, including you.", .cdc2022),
                TalkingPoint("Let's go through what the agreement asks of both of us, so nothing feels like a surprise.", .cdc2022),
            ], escalation: nil),
        CoachingSituation(
            id: "elsewhere", patientSays: "\"If you stop my meds I'll just get them somewhere else.\"",
            responses: [
                TalkingPoint("I hear how scared you are of being in pain, and I don't want you to end up there.", .hhs2019),
                TalkingPoint("Pills from the street are often laced with fentanyl; that is exactly the danger I am trying to keep you from.", .cdc2022),
                TalkingPoint("We'll go slowly, and if it gets too hard we pause. Let me also make sure you have naloxone at home.", .hhs2019),
                TalkingPoint("If you feel you can't control your use, there is treatment that helps, and I can arrange it today.", .cdc2022),
            ], escalation: nil),
        CoachingSituation(
            id: "punishing", patientSays: "\"You're punishing me.\"",
            responses: [
                TalkingPoint("I can see why it feels that way, and I'm sorry this is hard.", .hhs2019),
                TalkingPoint("Changing the plan is about your safety, not about anything you did.", .hhs2019),
                TalkingPoint("I'm not going anywhere: we'll keep seeing each other and adjust together as we go.", .hhs2019),
            ], escalation: nil),
        CoachingSituation(
            id: "anger-or-tears", patientSays: "Anger or tears",
            responses: [
                TalkingPoint("Pause, and name what you see: \"This is really upsetting, and that makes sense.\"", .hhs2019),
                TalkingPoint("Give the patient time before returning to the plan; nothing has to be settled in this minute.", .hhs2019),
                TalkingPoint("Offer a concrete next step, such as a call in a few days or a visit with the team's pharmacist or behavioral health.", .hhs2019),
            ], escalation: nil),
        CoachingSituation(
            id: "crisis", patientSays: "Suicidal thoughts, or signs of diversion",
            responses: [
                TalkingPoint("Stop the taper conversation and ask directly about safety; stay with the patient.", .hhs2019),
                TalkingPoint("Do not stop opioids abruptly in a crisis: an abrupt stop raises the risk of overdose and suicide. Hold the dose and pause the taper instead.", .hhs2019),
                TalkingPoint("The one exception is a life-threatening problem, such as signs of an impending overdose: then the opioid may have to be stopped or cut at once, with naloxone at hand and treatment for withdrawal and for opioid use disorder arranged the same day.", .hhs2019),
            ], escalation: TalkingPoint("Follow your clinic's protocol now: suicide risk assessment and crisis line, or the diversion protocol; offer medication for opioid use disorder where it fits.", .cdc2022)),
        CoachingSituation(
            id: "unexpected-test", patientSays: "An unexpected urine drug test result",
            responses: [
                TalkingPoint("Give the result plainly and ask about it before drawing any conclusion: \"The test found something I didn't expect. Can you help me understand it?\"", .cdc2022),
                TalkingPoint("A screening test can be wrong; ask the laboratory for a confirmatory test before a decision rests on the result.", .cdc2022),
                TalkingPoint("An unexpected result is a reason to look more closely and offer help, never to end care or stop the medicine abruptly.", .hhs2019),
                TalkingPoint("If the result points to opioid use disorder, offer treatment (buprenorphine or methadone) or a referral today.", .cdc2022),
            ], escalation: nil),
        CoachingSituation(
            id: "pdmp-concern", patientSays: "Concerning PDMP findings: other prescribers, overlapping or high combined doses",
            responses: [
                TalkingPoint("Say what the database showed and ask about it; its records can be incomplete or belong to someone else.", .cdc2022),
                TalkingPoint("Talk to the other prescriber or the pharmacy before changing anything.", .cdc2022),
                TalkingPoint("Work out the combined MME and any benzodiazepines across every prescriber, and offer naloxone when the risk is higher.", .cdc2022),
                TalkingPoint("Findings are not a reason to dismiss the patient; if they point to opioid use disorder, offer treatment.", .cdc2022),
            ], escalation: nil),
    ]

    /// The situation with `key`, if any.
    public static func named(_ key: String) -> CoachingSituation? { all.first { $0.id == key } }
}

/// The "four S" that keep an opioid conversation on track: setting expectations, safety, standardization and
/// support. Each part's talking points are tailored to where the patient stands on changing.
public enum FourS: String, Sendable, CaseIterable, Codable {
    case settingExpectations = "setting-expectations"
    case safety
    case standardization
    case support

    /// The heading shown.
    public var title: String {
        switch self {
        case .settingExpectations: "Setting expectations"
        case .safety: "Safety"
        case .standardization: "Standardization"
        case .support: "Support"
        }
    }

    /// What every conversation covers under this heading.
    public var points: [TalkingPoint] {
        switch self {
        case .settingExpectations: [
            TalkingPoint("We will look at how the plan is working at regular visits, at least every 3 months, by what you can do, not only by the pain score.", .cdc2022),
            TalkingPoint("If the medicine stops helping you reach your goals, or its risks grow, the plan will change; we will decide how together.", .cdc2022),
        ]
        case .safety: [
            TalkingPoint("The main danger is slowed breathing and overdose, more so with alcohol, sleeping pills, benzodiazepines or other sedatives.", .cdc2022),
            TalkingPoint("Keep the medicine locked and out of reach, never share it, and have naloxone at home where someone can find it.", .cdc2022),
        ]
        case .standardization: [
            TalkingPoint("I follow the same steps with everyone on this medicine: checking the prescription database, urine tests, and a written agreement.", .cdc2022),
            TalkingPoint("Refills follow the agreement's rules, the same for every patient, so nothing depends on how a visit goes.", .cdc2022),
        ]
        case .support: [
            TalkingPoint("You will not be left on your own: if the plan changes, I keep seeing you and we adjust together.", .hhs2019),
            TalkingPoint("Other treatments can help alongside or instead: physical therapy, non-opioid medicines, counselling, and treatment for opioid use disorder if it is needed.", .cdc2022),
        ]
        }
    }

    /// What to add under this heading for a patient at `stage`.
    public func points(for stage: ReadinessStage) -> [TalkingPoint] {
        switch (self, stage) {
        case (.settingExpectations, .precontemplation):
            [TalkingPoint("Ask before sharing a concern (\"May I tell you what worries me?\"), and leave the decision open for the next visit.", .hhs2019)]
        case (.settingExpectations, .contemplation):
            [TalkingPoint("Ask what the patient sees as good and not so good about the medicine now, and reflect back their own reasons for a change.", .hhs2019)]
        case (.settingExpectations, .preparation):
            [TalkingPoint("Agree the first step, its pace and the date together, and write it down; the patient can ask to slow down.", .hhs2019)]
        case (.settingExpectations, .action):
            [TalkingPoint("Review each step at the visit: pain, function, sleep, mood and withdrawal; slow down or pause when needed.", .hhs2019)]
        case (.settingExpectations, .maintenance):
            [TalkingPoint("Look back at the goals reached and agree how often to keep checking in.", .cdc2022)]
        case (.safety, .precontemplation), (.safety, .contemplation):
            [TalkingPoint("Whatever the decision today, make sure naloxone is at home and that the patient knows the signs of overdose.", .cdc2022)]
        case (.safety, .preparation), (.safety, .action):
            [TalkingPoint("After a dose reduction, tolerance falls: going back to the old dose, or to street opioids, can cause an overdose.", .hhs2019)]
        case (.safety, .maintenance):
            [TalkingPoint("Keep naloxone at home even at a low dose or after stopping.", .cdc2022)]
        case (.standardization, _):
            []
        case (.support, .precontemplation), (.support, .contemplation):
            [TalkingPoint("Offer one concrete next step the patient can accept today, such as a visit with the team's pharmacist or behavioral health.", .hhs2019)]
        case (.support, .preparation), (.support, .action):
            [TalkingPoint("Plan for withdrawal symptoms and a way to reach the clinic between visits; a pause is always possible.", .hhs2019)]
        case (.support, .maintenance):
            [TalkingPoint("Keep up the treatments that helped, and say how to get back in touch if pain or cravings return.", .hhs2019)]
        }
    }

    /// The four S for a visit: every heading's points, with the stage's additions when the stage is known.
    public static func guide(for stage: ReadinessStage?) -> [(part: FourS, points: [TalkingPoint])] {
        allCases.map { part in (part, part.points + (stage.map(part.points(for:)) ?? [])) }
    }
}

/// The flows that offer coaching at a key press, with the situations most likely there.
public enum CoachingStep: String, Sendable {
    case consent, agreement, taper, checkin

    /// The situations most likely at this step.
    public var situations: [CoachingSituation] {
        let keys: [String] = switch self {
        case .consent: ["only-thing", "last-doctor", "anger-or-tears"]
        case .agreement: ["dont-trust-me", "last-doctor", "punishing"]
        case .taper: ["only-thing", "elsewhere", "punishing", "crisis"]
        case .checkin: ["only-thing", "anger-or-tears", "unexpected-test", "pdmp-concern", "crisis"]
        }
        return keys.compactMap(CoachingSituation.named)
    }
}

extension PatientRecord {
    /// The readiness stage recorded at the latest check-in that noted one.
    public var readiness: ReadinessStage? { checkins.last { $0.recorded.readiness != nil }?.recorded.readiness }
}
