import AccordCore
import AccordSchema
import Foundation
import Testing

/// Runs `scripts/validate-events.py` (Python's jsonschema, draft 2020-12) over events' stored bytes.
enum SchemaValidator {
    static func validate(_ bodies: [Data]) throws -> ProcessResult {
        let input = bodies.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n") + "\n"
        let script = Paths.packageRoot.appendingPathComponent("scripts/validate-events.py")
        let schemas = Paths.packageRoot.appendingPathComponent("schema/events")
        return try Run.process(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script.path, schemas.path], input: input)
    }

    static func expectValid(_ bodies: [Data], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try validate(bodies)
        #expect(result.status == 0, "schema validation failed:\n\(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stdout.contains("\(bodies.count) events checked, 0 failures"), "\(result.stdout)", sourceLocation: sourceLocation)
    }
}
