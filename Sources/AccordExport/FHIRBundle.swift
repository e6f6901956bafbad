import AccordCore
import Foundation

/// Builds a FHIR R4 `Bundle` (type `collection`) of one patient's record, following the mapping in the clinical
/// reference: Patient, Goal, Consent + Procedure, Contract per agreement version, CarePlan + MedicationRequest per
/// taper, QuestionnaireResponse + Observation per check-in, and a Provenance for every event behind a resource.
public enum FHIRBundle {
    /// The bundle for `record`. `exportedAt` (an ISO 8601 instant) becomes `Bundle.timestamp` when given; nothing
    /// else depends on the time of export, so two exports of the same log differ only there.
    /// `events` are the record's events: signed ones give their signatures to the Contract signers and Provenance.
    public static func build(_ record: PatientRecord, exportedAt: String? = nil, events: [Event] = []) -> FHIRValue {
        var builder = FHIRBundleBuilder(record: record)
        for event in events {
            if let signature = event.signature, let signing = event.envelope.signing, case .valid = event.signatureStatus {
                builder.signatures[event.id] = (signature, signing)
            }
        }
        builder.addAll()
        var bundle = FHIRObject([
            "resourceType": "Bundle",
            "id": .string(ResourceID("Bundle", record.id).uuid),
            "type": "collection",
            "entry": .array(builder.entries.map { ["fullUrl": .string($0.id.fullURL), "resource": $0.resource] }),
        ])
        bundle.set("timestamp", exportedAt.map(FHIRValue.string))
        return bundle.value
    }
}

struct FHIRBundleBuilder {
    struct Entry {
        let id: ResourceID
        let resource: FHIRValue
    }

    let record: PatientRecord
    /// Verified signatures of the record's signed events, by event.
    var signatures: [EventID: (data: Data, signing: Signing)] = [:]
    private(set) var entries: [Entry] = []
    private var added: Set<ResourceID> = []
    let patient: ResourceID

    init(record: PatientRecord) {
        self.record = record
        patient = ResourceID("Patient", record.id)
    }

    mutating func addAll() {
        addPatient()
        record.goals.forEach { addGoal($0) }
        record.consents.forEach { addConsent($0) }
        record.agreements.forEach { addAgreement($0) }
        record.taperPlans.forEach { addTaperPlan($0) }
        record.checkins.forEach { addCheckin($0) }
        record.drugTests.forEach { addDrugTest($0) }
        record.pdmpChecks.forEach { addPDMPCheck($0) }
    }

    mutating func add(_ id: ResourceID, _ object: FHIRObject) {
        guard added.insert(id).inserted else { return }
        var resource = object
        resource["resourceType"] = .string(id.type)
        resource["id"] = .string(id.uuid)
        entries.append(Entry(id: id, resource: resource.value))
    }

    // MARK: Who and where

    /// The clinician who wrote `stamp`, added once per clinician under the name they last signed with.
    mutating func practitioner(_ stamp: Stamp) -> ResourceID {
        let id = ResourceID("Practitioner", stamp.clinician)
        add(id, FHIRObject([
            "identifier": [FHIRCodes.identifier(CodeSystem.accordClinician, stamp.clinician)],
            "name": [["text": .string(latestName(of: stamp.clinician) ?? stamp.by)]],
        ]))
        return id
    }

    mutating func organization(_ site: String) -> ResourceID {
        let id = ResourceID("Organization", site)
        add(id, FHIRObject(["identifier": [FHIRCodes.identifier(CodeSystem.accordSite, site)], "name": .string(site)]))
        return id
    }

    /// Who recorded `targets`, when and at which site, pointing back to the event that did it.
    mutating func provenance(_ targets: [ResourceID], _ stamp: Stamp) {
        let who = practitioner(stamp)
        let site = organization(stamp.site)
        var signature: [FHIRValue] = []
        if let signed = signatures[stamp.event] { signature = [Self.signature(signed, by: who, at: stamp.at)] }
        var provenance = FHIRObject([
            "target": .array(targets.map(FHIRCodes.reference)),
            "recorded": .string(stamp.at),
            "agent": [[
                "type": FHIRCodes.concept(CodeSystem.provenanceParticipant, "author", "Author"),
                "who": FHIRCodes.reference(who),
                "onBehalfOf": FHIRCodes.reference(site),
            ]],
            "entity": [[
                "role": "source",
                "what": ["identifier": FHIRCodes.identifier(CodeSystem.accordEvent, stamp.event.hex)],
            ]],
        ])
        provenance.set("signature", .array(signature))
        add(ResourceID("Provenance", "\(stamp.event.hex):\(targets.map(\.uuid).joined(separator: ","))"), provenance)
    }

    /// An Ed25519 signature over the event's exact bytes, typed by what it means (ISO/ASTM E1762 signature types).
    static func signature(_ signed: (data: Data, signing: Signing), by who: ResourceID, at: String) -> FHIRValue {
        let type: (String, String) = switch signed.signing.meaning {
        case .author: ("1.2.840.10065.1.12.1.1", "Author's Signature")
        case .witness: ("1.2.840.10065.1.12.1.9", "Event Witness Signature")
        case .patientAcknowledgement: ("1.2.840.10065.1.12.1.7", "Consent Signature")
        }
        return [
            "type": [FHIRCodes.coding(CodeSystem.signatureType, type.0, type.1)],
            "when": .string(at),
            "who": FHIRCodes.reference(who),
            "sigFormat": "application/x-ed25519",
            "targetFormat": "application/json",
            "data": .string(signed.data.base64EncodedString()),
        ]
    }

    private func latestName(of clinician: String) -> String? {
        var stamps = [record.registered]
        stamps += record.goals.flatMap { $0.history.map(\.stamp) }
        stamps += record.consents.map(\.stamp) + record.checkins.map(\.stamp)
        stamps += record.agreements.flatMap { $0.versions.map(\.stamp) }
        stamps += record.taperPlans.flatMap { $0.history.map(\.stamp) }
        return stamps.filter { $0.clinician == clinician }.max { $0.at < $1.at }?.by
    }

    // MARK: Patient

    mutating func addPatient() {
        var identifiers: [FHIRValue] = [FHIRCodes.identifier(CodeSystem.accordPatient, record.id)]
        if let mrn = record.mrn {
            identifiers.append([
                "type": FHIRCodes.concept(CodeSystem.identifierType, "MR", "Medical record number"),
                "value": .string(mrn),
            ])
        }
        add(patient, FHIRObject([
            "identifier": .array(identifiers),
            "name": [["text": .string(record.name)]],
            "birthDate": .string(record.born.description),
            "managingOrganization": FHIRCodes.reference(ResourceID("Organization", record.registered.site)),
        ]))
        _ = organization(record.registered.site)  // after the Patient, so the bundle opens with whom it is about
        provenance([patient], record.registered)
    }

    // MARK: Goals

    mutating func addGoal(_ goal: GoalState) {
        let id = ResourceID("Goal", goal.id)
        var object = FHIRObject([
            "identifier": [FHIRCodes.identifier(CodeSystem.accordGoal, goal.id)],
            "lifecycleStatus": .string(FHIRStatus.goalLifecycle(goal.status)),
            "description": FHIRCodes.text(goal.description),
            "subject": FHIRCodes.reference(patient),
            "startDate": .string(String(goal.set.at.prefix(10))),
            "expressedBy": FHIRCodes.reference(practitioner(goal.set)),
        ])
        object.set("achievementStatus", FHIRStatus.goalAchievement(goal).map {
            FHIRCodes.concept(CodeSystem.goalAchievement, $0.code, $0.display)
        })
        if goal.measure != nil || goal.targetDate != nil {
            var target = FHIRObject()
            target.set("measure", goal.measure.map(Self.goalMeasure))
            target.set("dueDate", goal.targetDate.map { .string($0.description) })
            object["target"] = [target.value]
        }
        if let last = goal.history.last { object["statusDate"] = .string(String(last.stamp.at.prefix(10))) }
        // The "set" entry's detail is the description itself; later changes carry their reasons and review notes.
        let notes = goal.history.dropFirst().compactMap { entry in entry.detail.map { "\(entry.change): \($0)" } }
        object.set("note", .array(notes.map(FHIRCodes.text)))
        add(id, object)
        for entry in goal.history { provenance([id], entry.stamp) }
    }

    /// A goal measured with the PEG scale carries its LOINC code; any other measure travels as the clinician wrote it.
    static func goalMeasure(_ measure: String) -> FHIRValue {
        if measure.lowercased().contains("peg") {
            return FHIRCodes.concept(CodeSystem.loinc, FHIRCodes.pegScore, "PEG score", text: measure)
        }
        return FHIRCodes.text(measure)
    }

    // MARK: Mini-consents

    mutating func addConsent(_ consent: ConsentState) {
        let consentID = ResourceID("Consent", consent.stamp.event.hex)
        let procedureID = ResourceID("Procedure", consent.stamp.event.hex)
        let discussed = consent.items.filter(\.discussed)
        var provision = FHIRObject()
        provision.set("type", FHIRStatus.consentProvisionType(consent.decision).map(FHIRValue.string))
        provision.set("provision", .array(discussed.map { item in
            ["code": [FHIRCodes.concept(CodeSystem.accordConsentItem, item.key, ConsentItem.named(item.key)?.title)]]
        }))
        add(consentID, FHIRObject([
            "status": .string(FHIRStatus.consent(consent.decision)),
            "scope": FHIRCodes.concept(CodeSystem.consentScope, "treatment", "Treatment"),
            "category": [FHIRCodes.concept(CodeSystem.loinc, FHIRCodes.consentCategory, "Patient consent")],
            "patient": FHIRCodes.reference(patient),
            "dateTime": .string(consent.stamp.at),
            "performer": [FHIRCodes.reference(patient)],
            "organization": [FHIRCodes.reference(organization(consent.stamp.site))],
            "policy": [["uri": .string(CodeSystem.accordConsentPolicy)]],
            "provision": provision.value,
            "extension": [["url": .string(CodeSystem.naloxoneExtension), "valueCode": .string(consent.naloxone.rawValue)]],
        ]))
        var notes: [FHIRValue] = consent.items.filter { !$0.discussed }.map { item in
            FHIRCodes.text("Not discussed: \(ConsentItem.named(item.key)?.title ?? item.key)\(item.reason.map { " (\($0))" } ?? "")")
        }
        if let questions = consent.questions { notes.append(FHIRCodes.text("Patient's questions: \(questions)")) }
        if let note = consent.note { notes.append(FHIRCodes.text(note)) }
        var procedure = FHIRObject([
            "status": "completed",
            "code": FHIRCodes.concept(CodeSystem.snomed, FHIRCodes.opioidSafetyCounseling, "Counseling about opioid safety"),
            "subject": FHIRCodes.reference(patient),
            "performedDateTime": .string(consent.stamp.at),
            "performer": [["actor": FHIRCodes.reference(practitioner(consent.stamp))]],
        ])
        procedure.set("note", .array(notes))
        add(procedureID, procedure)
        provenance([consentID, procedureID], consent.stamp)
    }

    // MARK: Treatment agreements

    /// One Contract per version (signed, amended, renewed); an ending closes the last version rather than adding one.
    mutating func addAgreement(_ agreement: AgreementState) {
        let versions = agreement.versions.filter { $0.change != "ended" }
        let ending = agreement.versions.last { $0.change == "ended" }
        for (index, version) in versions.enumerated() {
            let id = ResourceID("Contract", version.stamp.event.hex)
            let next = index + 1 < versions.count ? versions[index + 1] : nil
            let start = index == 0 ? agreement.effectiveOn.description : String(version.stamp.at.prefix(10))
            let end = next.map { String($0.stamp.at.prefix(10)) } ?? ending.map { String($0.stamp.at.prefix(10)) } ?? version.renewOn.description
            var object = FHIRObject([
                "identifier": [FHIRCodes.identifier(CodeSystem.accordAgreement, agreement.id)],
                "version": .string(String(index + 1)),
                "status": .string(FHIRStatus.contract(next: next, ended: ending != nil)),
                "title": "Opioid treatment agreement",
                "issued": .string(version.stamp.at),
                "applies": ["start": .string(start), "end": .string(end)],
                "subject": [FHIRCodes.reference(patient)],
                "author": FHIRCodes.reference(practitioner(version.stamp)),
                "term": .array(version.clauses.map(Self.term)),
                "extension": [["url": .string(CodeSystem.agreementMethodExtension), "valueCode": .string(version.method.rawValue)]],
            ])
            if let signed = signatures[version.stamp.event] {
                let who = practitioner(version.stamp)
                object["signer"] = [[
                    "type": FHIRCodes.coding(CodeSystem.accordSignerMeaning, signed.signing.meaning.rawValue),
                    "party": FHIRCodes.reference(who),
                    "signature": [Self.signature(signed, by: who, at: version.stamp.at)],
                ]]
            }
            // R4's Contract has no note; the version's reason reads as its subtitle ("Amended: ...", "Ended: ...").
            let change = index == versions.count - 1 && ending != nil ? ending : version
            if let change, let reason = change.reason { object["subtitle"] = .string("\(change.change.capitalized): \(reason)") }
            add(id, object)
            provenance([id], version.stamp)
            if index == versions.count - 1, let ending { provenance([id], ending.stamp) }
        }
    }

    static func term(_ clause: String) -> FHIRValue {
        let known = AgreementClause.named(clause)
        var term = FHIRObject(["text": .string(known?.text ?? clause), "offer": ["text": .string(known?.text ?? clause)]])
        if let known { term["type"] = FHIRCodes.concept(CodeSystem.accordAgreementClause, known.id) }
        return term.value
    }

    // MARK: Taper plans

    mutating func addTaperPlan(_ plan: TaperPlanState) {
        let carePlanID = ResourceID("CarePlan", plan.id)
        let started = plan.history[0].stamp
        let requester = practitioner(started)
        let medication = Self.medication(plan.medication)
        let status = FHIRStatus.taper(plan.status)
        var requests: [ResourceID] = []
        for (index, step) in plan.steps.enumerated() {
            let id = ResourceID("MedicationRequest", "\(plan.id):\(index):\(step.on)")
            var bounds = FHIRObject(["start": .string(step.on.description)])
            if index + 1 < plan.steps.count { bounds["end"] = .string(plan.steps[index + 1].on.adding(days: -1).description) }
            var text = "\(Self.number(step.dailyDose)) \(step.unit) a day in total from \(step.on)"
            if let instruction = step.instruction { text += ": \(instruction)" }
            add(id, FHIRObject([
                "status": .string(status.medicationRequest),
                "intent": "plan",
                "medicationCodeableConcept": medication,
                "subject": FHIRCodes.reference(patient),
                "authoredOn": .string(started.at),
                "requester": FHIRCodes.reference(requester),
                "basedOn": [FHIRCodes.reference(carePlanID)],
                "dosageInstruction": [[
                    "sequence": .integer(index + 1),
                    "text": .string(text),
                    "timing": ["repeat": ["boundsPeriod": bounds.value]],
                    "maxDosePerPeriod": [
                        "numerator": ["value": .decimal(step.dailyDose), "unit": .string(step.unit)],
                        "denominator": ["value": 1, "unit": "day", "system": .string(CodeSystem.ucum), "code": "d"],
                    ],
                ]],
            ]))
            requests.append(id)
        }
        var period = FHIRObject()
        period.set("start", plan.steps.first.map { .string($0.on.description) })
        period.set("end", plan.steps.last.map { .string($0.on.description) })
        var object = FHIRObject([
            "identifier": [FHIRCodes.identifier(CodeSystem.accordTaperPlan, plan.id)],
            "status": .string(status.carePlan),
            "intent": "plan",
            "title": .string("Opioid taper: \(plan.medication)"),
            "description": .string("Steps of \(Self.number(plan.ratePercent))% of the \(plan.basis.rawValue) dose every \(plan.intervalDays) days"),
            "subject": FHIRCodes.reference(patient),
            "created": .string(started.at),
            "author": FHIRCodes.reference(requester),
            "activity": .array(requests.map { ["reference": FHIRCodes.reference($0)] }),
        ])
        object.set("period", period.members.isEmpty ? nil : period.value)
        object.set("note", .array(plan.history.compactMap { entry in entry.detail.map { FHIRCodes.text("\(entry.change): \($0)") } }))
        add(carePlanID, object)
        for entry in plan.history { provenance([carePlanID] + requests, entry.stamp) }
    }

    static func medication(_ text: String) -> FHIRValue {
        guard let ingredient = try? MedicationReader.read(text).ingredient, let code = ingredient.rxNorm else { return FHIRCodes.text(text) }
        return FHIRCodes.concept(CodeSystem.rxNorm, code, ingredient.name, text: text)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
