import AccordCore
import AccordLog
import AccordServer
import AccordStore
import AccordSync
import Foundation
import Testing

/// The server is held to `schema/openapi.yaml`: every documented status of every route is produced with the
/// documented content type, and nothing undocumented answers.
@Suite("Sync API against its OpenAPI document", .serialized)
struct OpenAPITests {
    struct Operation: Decodable { var codes: [String]; var secured: Bool; var content: [String: String?] }

    func documented() throws -> [String: Operation] {
        let script = Paths.packageRoot.appendingPathComponent("scripts/openapi-routes.py")
        let result = try Run.process(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path])
        #expect(result.status == 0, "the OpenAPI document does not validate: \(result.stderr)")
        return try JSONDecoder().decode([String: Operation].self, from: Data(result.stdout.utf8))
    }

    @Test("every documented status of every route, with its content type; undocumented routes do not answer", arguments: ServerBackend.available)
    func routesMatchDocument(backend: ServerBackend) async throws {
        let operations = try documented()
        #expect(Set(operations.keys) == ["/health GET", "/v1/events GET", "/v1/events POST", "/v1/patients/{patient}/fhir GET",
                                         "/v1/keys POST", "/v1/log/checkpoint GET", "/v1/log/inclusion GET", "/v1/log/consistency GET",
                                         "/v1/site GET", "/v1/log/repin POST"])
        let folder = TemporaryDirectory("openapi")
        defer { folder.remove() }
        let server = try ServerProcess(folder, backend: backend)
        let north = try TestSite("north", server: server, folder: folder)
        _ = try north.addPatient("Jane", mrn: "J1")
        let event = try north.store().events(patient: try north.store().resolvePatient("J1").id)[0]
        #expect(try north.sync().status == 0)
        let patient = event.envelope.patient
        let fhirPath = "/v1/patients/\(patient)/fhir"
        let size = try #require(Int(try server.query("SELECT max(size) FROM checkpoints").first ?? ""))
        let registration = try JSONEncoder().encode(KeyRegistration(publicKey: try ClinicianKey.load(from: north.home).publicKey.rawRepresentation.base64EncodedString(),
                                                                    clinicianId: try north.store().identity.clinicianID, clinicianName: "Dr. North"))
        let stranger = try JSONEncoder().encode(KeyRegistration(publicKey: try ClinicianKey.load(from: north.home).publicKey.rawRepresentation.base64EncodedString(),
                                                                clinicianId: "00000000-0000-4000-8000-000000000001", clinicianName: "Dr. Else"))

        let latest = try await HTTP.send("GET", server.url + SyncWire.checkpointPath, credential: north.credential).body
        let repin = try JSONEncoder().encode(RepinNotice(from: nil, to: try JSONDecoder().decode(Checkpoint.self, from: latest),
                                                         store: try north.store().identity.storeID, clinician: "Dr. North"))

        // For each route, a request that should produce each documented status.
        let scenarios: [String: [String: (String?, Data?, String)]] = [
            "/health GET": ["200": (nil, nil, "")],
            "/v1/events GET": ["200": (north.credential, nil, "?after=0"), "400": (north.credential, nil, "?after=x"), "401": (nil, nil, "")],
            "/v1/site GET": ["200": (north.credential, nil, ""), "401": (nil, nil, "")],
            "/v1/log/repin POST": ["200": (north.credential, repin, ""), "400": (north.credential, Data("{}".utf8), ""), "401": (nil, repin, "")],
            "/v1/events POST": ["200": (north.credential, SyncWire.pushBody([event]), ""), "400": (north.credential, Data(), ""),
                                "401": ("wrong", Data("x".utf8), ""),
                                "413": (north.credential, Data(String(repeating: String(repeating: "0", count: 64) + " {}\n", count: SyncWire.maximumBatch + 1).utf8), ""),
                                "415": (north.credential, SyncWire.pushBody([event]), "")],
            "/v1/keys POST": ["200": (north.credential, registration, ""), "400": (north.credential, Data("{}".utf8), ""),
                              "401": (nil, registration, ""), "409": (north.credential, stranger, "")],
            "/v1/log/checkpoint GET": ["200": (north.credential, nil, "?since=1"), "400": (north.credential, nil, "?since=x"), "401": (nil, nil, ""),
                                       "404": (north.credential, nil, "?cosigned=1")],
            "/v1/log/inclusion GET": ["200": (north.credential, nil, "?event=\(event.id.hex)"), "400": (north.credential, nil, "?event=xyz"),
                                      "401": (nil, nil, "?event=\(event.id.hex)"), "404": (north.credential, nil, "?event=\(String(repeating: "0", count: 64))")],
            "/v1/log/consistency GET": ["200": (north.credential, nil, "?from=1&to=\(size)"), "400": (north.credential, nil, "?from=5&to=2"),
                                        "401": (nil, nil, "?from=1&to=\(size)")],
            "/v1/patients/{patient}/fhir GET": ["200": (north.credential, nil, ""), "400": (north.credential, nil, "?bad"),
                                                "401": (nil, nil, ""), "404": (north.credential, nil, "?unknown")],
        ]
        // Scenarios that need a request header.
        let headers = ["/v1/events POST 415": ["Content-Encoding": "br"]]
        for (key, operation) in operations {
            let parts = key.split(separator: " ")
            let (path, method) = (String(parts[0]), String(parts[1]))
            // 503 needs the database down: PostgresTests.connectionLoss provokes and checks it.
            for code in operation.codes where code != "503" {
                let scenario = try #require(scenarios[key]?[code], "no scenario for \(key) \(code)")
                // The export route's path names the patient; "?bad" and "?unknown" stand for a malformed and an unknown id.
                let target = path.contains("{patient}")
                    ? scenario.2 == "?bad" ? "/v1/patients/not-an-id/fhir" : scenario.2 == "?unknown" ? "/v1/patients/\(EventFixtures.uuidZero)/fhir" : fhirPath
                    : path + scenario.2
                let reply = try await HTTP.send(method, server.url + target, credential: scenario.0, body: scenario.1, headers: headers["\(key) \(code)"] ?? [:])
                #expect(String(reply.status) == code, "\(key) expected \(code), got \(reply.status)")
                if let expected = operation.content[code] ?? nil {
                    #expect(reply.headers["content-type"]?.hasPrefix(expected) == true, "\(key) \(code) content type \(reply.headers["content-type"] ?? "none")")
                }
            }
        }
        for (method, path) in [("PUT", "/v1/events"), ("DELETE", "/v1/events"), ("GET", "/v1/patients"), ("POST", "/health"), ("GET", "/v2/events")] {
            let reply = try await HTTP.send(method, server.url + path, credential: north.credential)
            #expect(reply.status == 404 || reply.status == 405, "\(method) \(path) answered \(reply.status)")
        }
    }
}
