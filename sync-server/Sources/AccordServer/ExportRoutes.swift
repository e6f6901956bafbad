import AccordCore
import AccordExport
import Foundation
import HTTPTypes
import Hummingbird

/// `GET /v1/patients/{patient}/fhir`: a patient's record as a FHIR R4 bundle, for a site on the patient's care team.
/// Every request, answered or refused, is written to the access log.
struct ExportRoutes {
    static let path = "/v1/patients/:patient/fhir"
    static let fhirContentType = "application/fhir+json"

    let repository: any SyncRepository

    func fhir(_ request: Request, context: SyncRequestContext) async throws -> Response {
        guard let site = context.site else { throw APIError.unauthorized }
        let patient = context.parameters.get("patient") ?? ""
        guard Identifiers.isValid(patient) else {
            throw APIError.badRequest("'\(patient.prefix(40))' is not a patient id; use the patient's full id (a lowercase UUID).")
        }
        let now = ServerClock.nowMilliseconds()
        let bodies = try await repository.patientEvents(patient, site: site)
        let events = try bodies.map { try $0.map { try Event(bytes: $0.bytes, signature: $0.signature) } }
        let record = events.flatMap(Projection.fold)
        try await repository.recordRead(RecordRead(site: site, patient: patient, outcome: record == nil ? "not-found" : "ok",
                                                   detail: "FHIR export", now: now, remoteAddress: context.remoteAddress?.ipAddress))
        guard let record else {
            throw APIError.notFound("No patient with this id is shared with your site. Check the id, or ask the patient's site to share the record.")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(FHIRBundle.build(record, exportedAt: Timestamp.iso8601(epochMilliseconds: now), events: events ?? []))
        context.logger.info("export", metadata: ["format": "fhir"])
        return Response(status: .ok, headers: [.contentType: Self.fhirContentType], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
