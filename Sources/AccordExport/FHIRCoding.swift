/// Code systems and codes the export writes. Accord's own systems sit under `urn:accord:` so a receiving system can
/// tell them from standard ones.
enum CodeSystem {
    static let loinc = "http://loinc.org"
    static let snomed = "http://snomed.info/sct"
    static let rxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm"
    static let ucum = "http://unitsofmeasure.org"
    static let identifierType = "http://terminology.hl7.org/CodeSystem/v2-0203"
    static let consentScope = "http://terminology.hl7.org/CodeSystem/consentscope"
    static let goalAchievement = "http://terminology.hl7.org/CodeSystem/goal-achievement"
    static let observationCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
    static let interpretation = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
    static let provenanceParticipant = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
    static let provenanceEntityRole = "http://hl7.org/fhir/provenance-entity-role"
    static let signatureType = "urn:iso-astm:E1762-95:2013"

    static let accordPatient = "urn:accord:patient"
    static let accordClinician = "urn:accord:clinician"
    static let accordSite = "urn:accord:site"
    static let accordGoal = "urn:accord:goal"
    static let accordAgreement = "urn:accord:agreement"
    static let accordTaperPlan = "urn:accord:taper-plan"
    static let accordEvent = "urn:accord:event"
    static let accordConsentItem = "urn:accord:consent-item"
    static let accordAgreementClause = "urn:accord:agreement-clause"
    static let accordInstrument = "urn:accord:instrument"
    static let accordSignerMeaning = "urn:accord:signature-meaning"
    static let accordConsentPolicy = "urn:accord:policy:mini-consent"
    static let naloxoneExtension = "urn:accord:fhir:extension:naloxone-status"
    static let agreementMethodExtension = "urn:accord:fhir:extension:agreement-method"
}

enum FHIRCodes {
    static func coding(_ system: String, _ code: String, _ display: String? = nil) -> FHIRValue {
        var object = FHIRObject(["system": .string(system), "code": .string(code)])
        object.set("display", display.map(FHIRValue.string))
        return object.value
    }

    static func concept(_ system: String, _ code: String, _ display: String? = nil, text: String? = nil) -> FHIRValue {
        var object = FHIRObject(["coding": [coding(system, code, display)]])
        object.set("text", text.map(FHIRValue.string))
        return object.value
    }

    static func text(_ text: String) -> FHIRValue { ["text": .string(text)] }

    static func identifier(_ system: String, _ value: String) -> FHIRValue {
        ["system": .string(system), "value": .string(value)]
    }

    static func reference(_ id: ResourceID) -> FHIRValue { ["reference": .string(id.fullURL)] }

    /// A count with UCUM's annotation unit, as scores are written.
    static func score(_ value: Double) -> FHIRValue {
        ["value": .decimal(value), "unit": "score", "system": .string(CodeSystem.ucum), "code": "{score}"]
    }

    // LOINC codes for the check-in instruments (clinical reference, "Check-in instruments").
    static let pegPanel = "91148-7"
    static let pegItems = [("75893-8", "Average pain in the past week"),
                           ("91145-3", "Pain interference with enjoyment of life in the past week"),
                           ("91146-1", "Pain interference with general activity in the past week")]
    static let pegScore = "91147-9"
    static let phq2Total = "55758-7"
    static let phq2Items = [("44250-9", "Little interest or pleasure in doing things"),
                            ("44255-8", "Feeling down, depressed, or hopeless")]
    static let consentCategory = "59284-0"
    static let opioidSafetyCounseling = "460831000124102"
    static let pdmpCheck = "461621000124108"
}
