import AccordCore

extension FHIRBundleBuilder {
    /// A check-in: the answers as a QuestionnaireResponse, and one survey Observation per instrument scored.
    mutating func addCheckin(_ checkin: CheckinState) {
        let key = checkin.stamp.event.hex
        let responseID = ResourceID("QuestionnaireResponse", key)
        let answers = checkin.recorded
        add(responseID, FHIRObject([
            "status": "completed",
            "subject": FHIRCodes.reference(patient),
            "authored": .string(checkin.stamp.at),
            "author": FHIRCodes.reference(practitioner(checkin.stamp)),
            "item": .array(Self.responseItems(answers)),
        ]))
        var targets = [responseID]
        if let peg = answers.peg, let score = checkin.pegScore {
            let id = ResourceID("Observation", "\(key):peg")
            var components: [FHIRValue] = []
            for (index, item) in FHIRCodes.pegItems.enumerated() where index < peg.count {
                components.append(["code": FHIRCodes.concept(CodeSystem.loinc, item.0, item.1), "valueInteger": .integer(peg[index])])
            }
            addSurvey(id, checkin, code: FHIRCodes.concept(CodeSystem.loinc, FHIRCodes.pegScore, "PEG score"),
                      value: ("valueQuantity", FHIRCodes.score((score * 100).rounded() / 100)), components: components,
                      from: responseID)
            targets.append(id)
        }
        if let phq2 = answers.phq2, let total = checkin.phq2Total {
            let id = ResourceID("Observation", "\(key):phq2")
            var components: [FHIRValue] = []
            for (index, item) in FHIRCodes.phq2Items.enumerated() where index < phq2.count {
                components.append(["code": FHIRCodes.concept(CodeSystem.loinc, item.0, item.1), "valueInteger": .integer(phq2[index])])
            }
            let positive = checkin.phq2Positive ?? false
            addSurvey(id, checkin, code: FHIRCodes.concept(CodeSystem.loinc, FHIRCodes.phq2Total, "PHQ-2 total score"),
                      value: ("valueInteger", .integer(total)), components: components, from: responseID,
                      interpretation: FHIRCodes.concept(CodeSystem.interpretation, positive ? "POS" : "NEG",
                                                        positive ? "Positive" : "Negative",
                                                        text: positive ? "Screens positive (3 or more)" : "Screens negative"))
            targets.append(id)
        }
        if let total = checkin.cowsTotal, let band = checkin.cowsBand {
            // No LOINC code for the COWS total was found (clinical reference), so it carries Accord's own code.
            let id = ResourceID("Observation", "\(key):cows")
            addSurvey(id, checkin, code: FHIRCodes.concept(CodeSystem.accordInstrument, "cows-total", "COWS total score",
                                                        text: "Clinical Opiate Withdrawal Scale total"),
                      value: ("valueInteger", .integer(total)), components: [], from: responseID,
                      interpretation: FHIRCodes.text("Withdrawal: \(band)"))
            targets.append(id)
        }
        provenance(targets, checkin.stamp)
    }

    private mutating func addSurvey(_ id: ResourceID, _ checkin: CheckinState, code: FHIRValue, value: (String, FHIRValue),
                                    components: [FHIRValue], from response: ResourceID, interpretation: FHIRValue? = nil) {
        var object = FHIRObject([
            "status": "final",
            "category": [FHIRCodes.concept(CodeSystem.observationCategory, "survey", "Survey")],
            "code": code,
            "subject": FHIRCodes.reference(patient),
            "effectiveDateTime": .string(checkin.stamp.at),
            "performer": [FHIRCodes.reference(practitioner(checkin.stamp))],
            "derivedFrom": [FHIRCodes.reference(response)],
            value.0: value.1,
        ])
        object.set("component", .array(components))
        object.set("interpretation", interpretation.map { [$0] })
        add(id, object)
    }

    /// The check-in's answers as QuestionnaireResponse items; linkIds are stable names, one per question.
    static func responseItems(_ answers: CheckinRecorded) -> [FHIRValue] {
        var items: [FHIRValue] = []
        func group(_ linkID: String, _ text: String, _ scores: [Int]?, _ labels: [String]) {
            guard let scores else { return }
            let children: [FHIRValue] = scores.enumerated().map { index, score in
                let label = index < labels.count ? labels[index] : "Item \(index + 1)"
                return ["linkId": .string("\(linkID)-\(index + 1)"), "text": .string(label), "answer": [["valueInteger": .integer(score)]]]
            }
            items.append(["linkId": .string(linkID), "text": .string(text), "item": .array(children)])
        }
        func answer(_ linkID: String, _ text: String, _ value: FHIRValue?, as type: String) {
            guard let value else { return }
            items.append(["linkId": .string(linkID), "text": .string(text), "answer": [.object([type: value])]])
        }
        group("peg", "PEG pain scale (0-10 each)", answers.peg, FHIRCodes.pegItems.map(\.1))
        group("phq2", "PHQ-2 (0-3 each)", answers.phq2, FHIRCodes.phq2Items.map(\.1))
        group("cows", "Clinical Opiate Withdrawal Scale", answers.cows, [])
        answer("current-dose", "Current dose", answers.currentDose.map(FHIRValue.string), as: "valueString")
        answer("sleep", "Sleep", answers.sleep.map(FHIRValue.string), as: "valueString")
        answer("mood", "Mood", answers.mood.map(FHIRValue.string), as: "valueString")
        for check in answers.goals ?? [] {
            let text = "\(check.progress.rawValue)\(check.note.map { ": \($0)" } ?? "")"
            answer("goal-\(check.goal)", "Progress toward goal \(check.goal)", .string(text), as: "valueString")
        }
        answer("side-effects", "Side effects", answers.sideEffects.map(FHIRValue.string), as: "valueString")
        answer("withdrawal", "Withdrawal symptoms", answers.withdrawal.map(FHIRValue.string), as: "valueString")
        answer("naloxone-on-hand", "Naloxone on hand", answers.naloxoneOnHand.map(FHIRValue.bool), as: "valueBoolean")
        answer("pdmp-checked", "Prescription monitoring database checked", answers.pdmpChecked.map(FHIRValue.bool), as: "valueBoolean")
        answer("urine-drug-test", "Urine drug test", answers.urineDrugTest.map { .string($0.rawValue) }, as: "valueString")
        answer("readiness", "Readiness to change", answers.readiness.map { .string($0.rawValue) }, as: "valueString")
        answer("next-visit", "Next visit", answers.nextVisit.map { .string($0.description) }, as: "valueDate")
        answer("note", "Note", answers.note.map(FHIRValue.string), as: "valueString")
        return items
    }
}
