#!/usr/bin/env python3
"""Checks FHIR R4 JSON bundles against the rules Accord can check itself, with no terminology server:
every element known to the resource's definition (a misspelled one is an error), cardinality (min and max, arrays
where the element repeats), required elements, required-binding codes, primitive formats (id, date, dateTime,
instant, uri, code), the invariants the export touches (gol-1, ppc-1, ppc-5, org-1, qrs-2), code systems from an
allowed list with LOINC (mod 10) and SNOMED CT (Verhoeff) check digits, and every reference resolving inside the bundle
to a resource of an allowed type.

Usage: check-fhir-r4.py FILE... ; prints one line per problem and exits 1 if there is any, else prints a summary.
"""
import json
import re
import sys

ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")
DATETIME = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$")
INSTANT = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00))$")
URI = re.compile(r"^\S+:\S+$")
CODE = re.compile(r"^[^\s]+( [^\s]+)*$")
UUID_URL = re.compile(r"^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

SYSTEMS = {
    "http://loinc.org", "http://snomed.info/sct", "http://www.nlm.nih.gov/research/umls/rxnorm",
    "http://unitsofmeasure.org", "http://terminology.hl7.org/CodeSystem/v2-0203",
    "http://terminology.hl7.org/CodeSystem/consentscope", "http://terminology.hl7.org/CodeSystem/goal-achievement",
    "http://terminology.hl7.org/CodeSystem/observation-category",
    "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
    "http://terminology.hl7.org/CodeSystem/provenance-participant-type", "urn:iso-astm:E1762-95:2013",
}
# Codes of the small HL7 code systems the export uses (required or extensible bindings there).
SYSTEM_CODES = {
    "http://terminology.hl7.org/CodeSystem/consentscope": {"adr", "research", "patient-privacy", "treatment"},
    "http://terminology.hl7.org/CodeSystem/goal-achievement": {"in-progress", "improving", "worsening", "no-change", "achieved", "sustaining", "not-achieved", "no-progress", "not-attainable"},
    "http://terminology.hl7.org/CodeSystem/observation-category": {"social-history", "vital-signs", "imaging", "laboratory", "procedure", "survey", "exam", "therapy", "activity"},
    "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation": {"POS", "NEG", "N", "A", "H", "L", "IND"},
    "http://terminology.hl7.org/CodeSystem/provenance-participant-type": {"enterer", "performer", "author", "verifier", "legal", "attester", "informant", "custodian", "assembler", "composer"},
    "http://terminology.hl7.org/CodeSystem/v2-0203": {"MR", "PI", "PT", "SS", "DL", "PPN"},
    "urn:iso-astm:E1762-95:2013": {f"1.2.840.10065.1.12.1.{n}" for n in range(1, 19)},
}


def loinc_ok(code):
    m = re.fullmatch(r"(\d{1,7})-(\d)", code)
    if not m:
        return False
    digits, total = m.group(1)[::-1], 0
    for i, ch in enumerate(digits):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            d = d // 10 + d % 10
        total += d
    return (10 - total % 10) % 10 == int(m.group(2))


VERHOEFF_D = [[0,1,2,3,4,5,6,7,8,9],[1,2,3,4,0,6,7,8,9,5],[2,3,4,0,1,7,8,9,5,6],[3,4,0,1,2,8,9,5,6,7],[4,0,1,2,3,9,5,6,7,8],
              [5,9,8,7,6,0,4,3,2,1],[6,5,9,8,7,1,0,4,3,2],[7,6,5,9,8,2,1,0,4,3],[8,7,6,5,9,3,2,1,0,4],[9,8,7,6,5,4,3,2,1,0]]
VERHOEFF_P = [[0,1,2,3,4,5,6,7,8,9],[1,5,7,6,2,8,3,0,9,4],[5,8,0,3,7,9,6,1,4,2],[8,9,1,6,0,4,3,5,2,7],[9,4,5,3,1,2,6,8,7,0],
              [4,2,8,6,5,7,3,9,0,1],[2,7,9,3,8,0,6,4,1,5],[7,0,4,6,9,1,3,2,5,8]]


def snomed_ok(code):
    if not re.fullmatch(r"[1-9]\d{5,17}", code):
        return False
    c = 0
    for i, ch in enumerate(reversed(code)):
        c = VERHOEFF_D[c][VERHOEFF_P[i % 8][int(ch)]]
    return c == 0


# Element definitions: name -> (min, max, kind). max is 1 or "*". kind is a primitive name, "code:a|b", a datatype
# name, "Reference:T1|T2" (or "Reference:*"), or a dict for a backbone element.
def el(mn, mx, kind):
    return (mn, mx, kind)

DATATYPES = {
    "Coding": {"system": el(0, 1, "uri"), "code": el(0, 1, "code"), "display": el(0, 1, "string"), "version": el(0, 1, "string")},
    "CodeableConcept": {"coding": el(0, "*", "Coding"), "text": el(0, 1, "string")},
    "Identifier": {"use": el(0, 1, "code:usual|official|temp|secondary|old"), "type": el(0, 1, "CodeableConcept"),
                   "system": el(0, 1, "uri"), "value": el(0, 1, "string")},
    "Reference": {"reference": el(0, 1, "string"), "identifier": el(0, 1, "Identifier"), "display": el(0, 1, "string"), "type": el(0, 1, "uri")},
    "Annotation": {"text": el(1, 1, "string"), "time": el(0, 1, "dateTime")},
    "HumanName": {"text": el(0, 1, "string"), "family": el(0, 1, "string"), "given": el(0, "*", "string")},
    "Period": {"start": el(0, 1, "dateTime"), "end": el(0, 1, "dateTime")},
    "Quantity": {"value": el(0, 1, "decimal"), "unit": el(0, 1, "string"), "system": el(0, 1, "uri"), "code": el(0, 1, "code")},
    "Ratio": {"numerator": el(0, 1, "Quantity"), "denominator": el(0, 1, "Quantity")},
    "Extension": {"url": el(1, 1, "uri"), "valueCode": el(0, 1, "code"), "valueString": el(0, 1, "string")},
    "Timing": {"repeat": el(0, 1, {"boundsPeriod": el(0, 1, "Period")})},
    "Signature": {"type": el(1, "*", "Coding"), "when": el(1, 1, "instant"), "who": el(1, 1, "Reference:Practitioner|PractitionerRole|RelatedPerson|Patient|Device|Organization"),
                  "onBehalfOf": el(0, 1, "Reference:*"), "targetFormat": el(0, 1, "code"), "sigFormat": el(0, 1, "code"), "data": el(0, 1, "base64Binary")},
}

COMMON = {"resourceType": el(1, 1, "string"), "id": el(0, 1, "id"), "extension": el(0, "*", "Extension"), "meta": el(0, 1, {"lastUpdated": el(0, 1, "instant")})}
ANY = "Reference:*"
ANSWER = {"valueInteger": el(0, 1, "integer"), "valueString": el(0, 1, "string"), "valueBoolean": el(0, 1, "boolean"), "valueDate": el(0, 1, "date")}
QR_ITEM = {"linkId": el(1, 1, "string"), "text": el(0, 1, "string"), "answer": el(0, "*", ANSWER)}
QR_ITEM["item"] = el(0, "*", QR_ITEM)
ANSWER["item"] = el(0, "*", QR_ITEM)
PROVISION = {"type": el(0, 1, "code:deny|permit"), "period": el(0, 1, "Period"), "code": el(0, "*", "CodeableConcept")}
PROVISION["provision"] = el(0, "*", PROVISION)

RESOURCES = {
    "Bundle": {"type": el(1, 1, "code:document|message|transaction|transaction-response|batch|batch-response|history|searchset|collection"),
               "timestamp": el(0, 1, "instant"), "entry": el(0, "*", {"fullUrl": el(0, 1, "uri"), "resource": el(0, 1, "Resource")})},
    "Patient": {"identifier": el(0, "*", "Identifier"), "name": el(0, "*", "HumanName"), "birthDate": el(0, 1, "date"),
                "managingOrganization": el(0, 1, "Reference:Organization")},
    "Practitioner": {"identifier": el(0, "*", "Identifier"), "name": el(0, "*", "HumanName")},
    "Organization": {"identifier": el(0, "*", "Identifier"), "name": el(0, 1, "string")},
    "Goal": {"identifier": el(0, "*", "Identifier"),
             "lifecycleStatus": el(1, 1, "code:proposed|planned|accepted|active|on-hold|completed|cancelled|entered-in-error|rejected"),
             "achievementStatus": el(0, 1, "CodeableConcept"), "description": el(1, 1, "CodeableConcept"),
             "subject": el(1, 1, "Reference:Patient|Group|Organization"), "startDate": el(0, 1, "date"),
             "target": el(0, "*", {"measure": el(0, 1, "CodeableConcept"), "dueDate": el(0, 1, "date")}),
             "statusDate": el(0, 1, "date"), "expressedBy": el(0, 1, "Reference:Patient|Practitioner|PractitionerRole|RelatedPerson"),
             "note": el(0, "*", "Annotation")},
    "Consent": {"identifier": el(0, "*", "Identifier"), "status": el(1, 1, "code:draft|proposed|active|rejected|inactive|entered-in-error"),
                "scope": el(1, 1, "CodeableConcept"), "category": el(1, "*", "CodeableConcept"), "patient": el(0, 1, "Reference:Patient"),
                "dateTime": el(0, 1, "dateTime"), "performer": el(0, "*", "Reference:Organization|Patient|Practitioner|RelatedPerson|PractitionerRole"),
                "organization": el(0, "*", "Reference:Organization"), "policy": el(0, "*", {"authority": el(0, 1, "uri"), "uri": el(0, 1, "uri")}),
                "policyRule": el(0, 1, "CodeableConcept"), "provision": el(0, 1, PROVISION),
                "sourceReference": el(0, 1, "Reference:Consent|DocumentReference|Contract|QuestionnaireResponse")},
    "Procedure": {"status": el(1, 1, "code:preparation|in-progress|not-done|on-hold|stopped|completed|entered-in-error|unknown"),
                  "code": el(0, 1, "CodeableConcept"), "subject": el(1, 1, "Reference:Patient|Group"), "performedDateTime": el(0, 1, "dateTime"),
                  "performer": el(0, "*", {"actor": el(1, 1, "Reference:Practitioner|PractitionerRole|Organization|Patient|RelatedPerson|Device")}),
                  "outcome": el(0, 1, "CodeableConcept"), "note": el(0, "*", "Annotation")},
    "Contract": {"identifier": el(0, "*", "Identifier"), "version": el(0, 1, "string"),
                 "status": el(0, 1, "code:amended|appended|cancelled|disputed|entered-in-error|executable|executed|negotiable|offered|policy|rejected|renewed|revoked|resolved|terminated"),
                 "title": el(0, 1, "string"), "subtitle": el(0, 1, "string"), "issued": el(0, 1, "dateTime"), "applies": el(0, 1, "Period"),
                 "subject": el(0, "*", ANY), "author": el(0, 1, "Reference:Patient|Practitioner|PractitionerRole|Organization"),
                 "term": el(0, "*", {"identifier": el(0, 1, "Identifier"), "type": el(0, 1, "CodeableConcept"), "text": el(0, 1, "string"),
                                     "offer": el(1, 1, {"text": el(0, 1, "string")})}),
                 "signer": el(0, "*", {"type": el(1, 1, "Coding"), "party": el(1, 1, "Reference:Organization|Patient|Practitioner|PractitionerRole|RelatedPerson"),
                                       "signature": el(1, "*", "Signature")})},
    "CarePlan": {"identifier": el(0, "*", "Identifier"), "status": el(1, 1, "code:draft|active|on-hold|revoked|completed|entered-in-error|unknown"),
                 "intent": el(1, 1, "code:proposal|plan|order|option"), "title": el(0, 1, "string"), "description": el(0, 1, "string"),
                 "subject": el(1, 1, "Reference:Patient|Group"), "period": el(0, 1, "Period"), "created": el(0, 1, "dateTime"),
                 "author": el(0, 1, "Reference:Patient|Practitioner|PractitionerRole|Device|RelatedPerson|Organization|CareTeam"),
                 "activity": el(0, "*", {"reference": el(0, 1, "Reference:Appointment|CommunicationRequest|DeviceRequest|MedicationRequest|NutritionOrder|Task|ServiceRequest|VisionPrescription|RequestGroup")}),
                 "note": el(0, "*", "Annotation")},
    "MedicationRequest": {"status": el(1, 1, "code:active|on-hold|cancelled|completed|entered-in-error|stopped|draft|unknown"),
                          "intent": el(1, 1, "code:proposal|plan|order|original-order|reflex-order|filler-order|instance-order|option"),
                          "medicationCodeableConcept": el(1, 1, "CodeableConcept"), "subject": el(1, 1, "Reference:Patient|Group"),
                          "authoredOn": el(0, 1, "dateTime"), "requester": el(0, 1, "Reference:Practitioner|PractitionerRole|Organization|Patient|RelatedPerson|Device"),
                          "basedOn": el(0, "*", "Reference:CarePlan|MedicationRequest|ServiceRequest|ImmunizationRecommendation"),
                          "dosageInstruction": el(0, "*", {"sequence": el(0, 1, "integer"), "text": el(0, 1, "string"), "timing": el(0, 1, "Timing"),
                                                           "maxDosePerPeriod": el(0, 1, "Ratio")})},
    "QuestionnaireResponse": {"status": el(1, 1, "code:in-progress|completed|amended|entered-in-error|stopped"), "subject": el(0, 1, ANY),
                              "authored": el(0, 1, "dateTime"), "author": el(0, 1, "Reference:Device|Practitioner|PractitionerRole|Patient|RelatedPerson|Organization"),
                              "item": el(0, "*", QR_ITEM)},
    "Observation": {"status": el(1, 1, "code:registered|preliminary|final|amended|corrected|cancelled|entered-in-error|unknown"),
                    "category": el(0, "*", "CodeableConcept"), "code": el(1, 1, "CodeableConcept"),
                    "subject": el(0, 1, "Reference:Patient|Group|Device|Location"), "effectiveDateTime": el(0, 1, "dateTime"),
                    "performer": el(0, "*", "Reference:Practitioner|PractitionerRole|Organization|CareTeam|Patient|RelatedPerson"),
                    "valueQuantity": el(0, 1, "Quantity"), "valueInteger": el(0, 1, "integer"), "valueCodeableConcept": el(0, 1, "CodeableConcept"),
                    "interpretation": el(0, "*", "CodeableConcept"), "note": el(0, "*", "Annotation"),
                    "derivedFrom": el(0, "*", "Reference:DocumentReference|ImagingStudy|Media|QuestionnaireResponse|Observation|MolecularSequence"),
                    "component": el(0, "*", {"code": el(1, 1, "CodeableConcept"), "valueInteger": el(0, 1, "integer"), "valueQuantity": el(0, 1, "Quantity")})},
    "Provenance": {"target": el(1, "*", ANY), "recorded": el(1, 1, "instant"),
                   "agent": el(1, "*", {"type": el(0, 1, "CodeableConcept"), "who": el(1, 1, "Reference:Practitioner|PractitionerRole|RelatedPerson|Patient|Device|Organization"),
                                        "onBehalfOf": el(0, 1, "Reference:Practitioner|PractitionerRole|RelatedPerson|Patient|Device|Organization")}),
                   "entity": el(0, "*", {"role": el(1, 1, "code:derivation|revision|quotation|source|removal"), "what": el(1, 1, ANY)}),
                   "signature": el(0, "*", "Signature")},
}


class Checker:
    def __init__(self, name):
        self.name, self.problems, self.references, self.counts = name, [], [], {}

    def fail(self, path, message):
        self.problems.append(f"{self.name}: {path}: {message}")

    def primitive(self, path, kind, value):
        if kind.startswith("code:"):
            allowed = kind[5:].split("|")
            if value not in allowed:
                self.fail(path, f"'{value}' is not one of the required codes ({', '.join(allowed)})")
            return
        checks = {
            "string": lambda v: isinstance(v, str) and v.strip() != "",
            "code": lambda v: isinstance(v, str) and CODE.match(v),
            "uri": lambda v: isinstance(v, str) and URI.match(v),
            "id": lambda v: isinstance(v, str) and ID.match(v),
            "date": lambda v: isinstance(v, str) and DATE.match(v),
            "dateTime": lambda v: isinstance(v, str) and DATETIME.match(v),
            "instant": lambda v: isinstance(v, str) and INSTANT.match(v),
            "boolean": lambda v: isinstance(v, bool),
            "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
            "decimal": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
            "base64Binary": lambda v: isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", v),
        }
        if not checks[kind](value):
            self.fail(path, f"{json.dumps(value)[:60]} is not a valid {kind}")

    def element(self, path, kind, value):
        if isinstance(kind, dict):
            self.structure(path, kind, value)
        elif kind == "Resource":
            self.resource(path, value)
        elif kind.startswith("Reference:"):
            self.structure(path, DATATYPES["Reference"], value)
            if isinstance(value, dict) and "reference" in value:
                self.references.append((path, value["reference"], kind[10:].split("|")))
        elif kind in DATATYPES:
            self.structure(path, DATATYPES[kind], value)
            if kind == "Coding" and isinstance(value, dict):
                self.coding(path, value)
        else:
            self.primitive(path, kind, value)

    def structure(self, path, definition, value):
        if not isinstance(value, dict) or not value:
            self.fail(path, "must be a non-empty object")
            return
        for key, item in value.items():
            if key not in definition:
                self.fail(f"{path}.{key}", "is not an element of this type in FHIR R4")
        for key, (mn, mx, kind) in definition.items():
            if key not in value:
                if mn > 0:
                    self.fail(f"{path}.{key}", "is required")
                continue
            item = value[key]
            if item is None:
                self.fail(f"{path}.{key}", "is null; leave it out instead")
                continue
            if mx == "*":
                if not isinstance(item, list):
                    self.fail(f"{path}.{key}", "repeats (0..*), so it must be an array")
                    continue
                if len(item) < mn or not item:
                    self.fail(f"{path}.{key}", f"needs at least {max(mn, 1)} item(s)")
                for index, entry in enumerate(item):
                    self.element(f"{path}.{key}[{index}]", kind, entry)
            else:
                if isinstance(item, list):
                    self.fail(f"{path}.{key}", "has at most one value (0..1), so it must not be an array")
                    continue
                self.element(f"{path}.{key}", kind, item)

    def coding(self, path, coding):
        system, code = coding.get("system"), coding.get("code")
        if system is None or code is None:
            self.fail(path, "a coding needs both system and code here")
            return
        if not (system in SYSTEMS or system.startswith("urn:accord:")):
            self.fail(path, f"code system {system} is not one Accord uses")
        if system in SYSTEM_CODES and code not in SYSTEM_CODES[system]:
            self.fail(path, f"'{code}' is not a code of {system}")
        if system == "http://loinc.org" and not loinc_ok(code):
            self.fail(path, f"'{code}' is not a LOINC code (format or mod-10 check digit)")
        if system == "http://snomed.info/sct" and not snomed_ok(code):
            self.fail(path, f"'{code}' is not a SNOMED CT identifier (Verhoeff check digit)")
        if system == "http://www.nlm.nih.gov/research/umls/rxnorm" and not re.fullmatch(r"[1-9]\d{0,9}", code):
            self.fail(path, f"'{code}' is not an RxNorm concept id")

    def resource(self, path, resource):
        kind = resource.get("resourceType") if isinstance(resource, dict) else None
        if kind not in RESOURCES:
            self.fail(path, f"resourceType {kind!r} is not one the export writes")
            return
        self.counts[kind] = self.counts.get(kind, 0) + 1
        definition = dict(COMMON, **RESOURCES[kind])
        self.structure(f"{path}({kind})", definition, resource)
        self.invariants(f"{path}({kind})", kind, resource)

    def invariants(self, path, kind, r):
        if kind == "Goal":
            for i, target in enumerate(r.get("target", [])):
                if "detail" in target and "measure" not in target:
                    self.fail(f"{path}.target[{i}]", "gol-1: a target with a detail needs a measure")
        if kind == "Consent":
            if not (r.get("policy") or r.get("policyRule")):
                self.fail(path, "ppc-1: a Consent needs a policy or a policyRule")
            scope = [c.get("code") for c in r.get("scope", {}).get("coding", [])]
            if "treatment" in scope and "patient" not in r:
                self.fail(path, "ppc-5: a treatment consent needs a patient")
        if kind == "Organization" and not (r.get("identifier") or r.get("name")):
            self.fail(path, "org-1: an Organization needs an identifier or a name")
        if kind == "QuestionnaireResponse":
            def walk(items, where):
                for i, item in enumerate(items):
                    if "item" in item and "answer" in item:
                        self.fail(f"{where}[{i}]", "qrs-1: an item has answers or child items, not both")
                    if "item" not in item and "answer" not in item:
                        self.fail(f"{where}[{i}]", "an item needs answers or child items")
                    walk(item.get("item", []), f"{where}[{i}].item")
            walk(r.get("item", []), f"{path}.item")
        if kind == "Observation" and sum(key.startswith("value") for key in r) > 1:
            self.fail(path, "value[x] has one type only")

    def bundle(self, bundle):
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            self.fail("$", "the file must hold one Bundle")
            return
        self.resource("Bundle", bundle)
        types, seen = {}, set()
        for index, entry in enumerate(bundle.get("entry", [])):
            url, resource = entry.get("fullUrl"), entry.get("resource", {})
            if not url or not UUID_URL.match(url):
                self.fail(f"Bundle.entry[{index}].fullUrl", "needs a urn:uuid: fullUrl")
                continue
            if url in seen:
                self.fail(f"Bundle.entry[{index}].fullUrl", f"{url} appears twice")
            seen.add(url)
            if resource.get("id") and url != f"urn:uuid:{resource['id']}":
                self.fail(f"Bundle.entry[{index}]", "fullUrl and resource id disagree")
            types[url] = resource.get("resourceType")
        for path, reference, allowed in self.references:
            if reference not in types:
                self.fail(path, f"reference {reference} does not resolve inside the bundle")
            elif allowed != ["*"] and types[reference] not in allowed:
                self.fail(path, f"refers to a {types[reference]}; allowed here: {', '.join(allowed)}")


def main(paths):
    problems, total = [], {}
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                document = json.load(handle)
        except (OSError, ValueError) as error:
            problems.append(f"{path}: cannot read JSON: {error}")
            continue
        checker = Checker(path)
        checker.bundle(document)
        problems += checker.problems
        for kind, count in checker.counts.items():
            total[kind] = total.get(kind, 0) + count
    for problem in problems:
        print(problem)
    if problems:
        return 1
    print("ok " + " ".join(f"{kind}={count}" for kind, count in sorted(total.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
