import AccordCore

extension FHIRBundleBuilder {
    /// A urine drug test as a laboratory Observation. The clinical reference names no LOINC code for it, so it carries
    /// Accord's own code; the result is interpreted normal (expected) or abnormal (unexpected).
    mutating func addDrugTest(_ test: UrineDrugTestState) {
        let id = ResourceID("Observation", "\(test.entry.hex):urine-drug-test")
        var object = FHIRObject([
            "status": .string(test.result == .pending ? "registered" : "final"),
            "category": [FHIRCodes.concept(CodeSystem.observationCategory, "laboratory", "Laboratory")],
            "code": FHIRCodes.concept(CodeSystem.accordInstrument, "urine-drug-test", "Urine drug test", text: "Urine drug test"),
            "subject": FHIRCodes.reference(patient),
            "effectiveDateTime": .string(test.on?.description ?? test.stamp.at),
            "performer": [FHIRCodes.reference(practitioner(test.stamp))],
        ])
        if test.result != .pending {
            object.set("valueCodeableConcept", FHIRCodes.text(test.result.rawValue))
            object.set("interpretation", [test.result == .expected
                ? FHIRCodes.concept(CodeSystem.interpretation, "N", "Normal", text: "As expected from what is prescribed")
                : FHIRCodes.concept(CodeSystem.interpretation, "A", "Abnormal", text: "Not as expected from what is prescribed")])
        }
        object.set("note", Self.notes(test.detail, test.discussion))
        add(id, object)
        provenance([id], test.stamp)
    }

    /// A PDMP check as a Procedure (SNOMED 461621000124108, clinical reference), its findings as the outcome.
    mutating func addPDMPCheck(_ check: PDMPCheckState) {
        let id = ResourceID("Procedure", "\(check.entry.hex):pdmp")
        var object = FHIRObject([
            "status": "completed",
            "code": FHIRCodes.concept(CodeSystem.snomed, FHIRCodes.pdmpCheck, "Prescription drug monitoring program checked"),
            "subject": FHIRCodes.reference(patient),
            "performedDateTime": .string(check.on?.description ?? check.stamp.at),
            "performer": [["actor": FHIRCodes.reference(practitioner(check.stamp))]],
        ])
        object.set("outcome", check.findings.map { FHIRCodes.text($0 == .none ? "No concerning findings" : "Concerning findings") })
        object.set("note", Self.notes(check.detail, check.discussion))
        add(id, object)
        provenance([id], check.stamp)
    }

    private static func notes(_ detail: String?, _ discussion: DiscussionState?) -> FHIRValue? {
        var notes: [FHIRValue] = []
        if let detail { notes.append(FHIRCodes.text(detail)) }
        if let discussion {
            notes.append(FHIRCodes.text("Discussed with the patient\(discussion.on.map { " on \($0)" } ?? "")\(discussion.note.map { ": \($0)" } ?? "")"))
        }
        return notes.isEmpty ? nil : .array(notes)
    }
}
