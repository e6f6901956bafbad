import AccordCore
import AccordLog
import Foundation
import Testing

/// Audit entries are written by hand (`FlatJSONWriter`) for speed; their bytes must stay those JSONEncoder wrote,
/// or logs written before and after would hash differently for the same entry.
@Suite("Audit entry bytes")
struct AuditEntryBytesTests {
    static let awkward = [
        "", "plain", "quote \" and backslash \\", "slash / and <tag>", "new\nline\ttab\rreturn", "\u{8}\u{c}",
        "\u{0}\u{1}\u{1f}\u{7f}", "é ü 漢字 😀", "\u{2028}\u{2029}", "refused: the event's clock is 31 s ahead",
    ]

    @Test("bytes equal CanonicalJSON's for every kind, with fields present or absent and awkward text", arguments: AuditEntry.Kind.allCases)
    func sameAsJSONEncoder(kind: AuditEntry.Kind) throws {
        for (index, text) in Self.awkward.enumerated() {
            let full = AuditEntry(position: index * 1_000_003, kind: kind, at: "2026-11-24T00:00:00.000Z", site: text, patient: text, event: text,
                                  eventType: "note.added", signature: text, key: text, actor: text, remoteAddress: "127.0.0.1",
                                  outcome: "ok", detail: text)
            let sparse = AuditEntry(position: index, kind: kind, at: text)
            for entry in [full, sparse] {
                #expect(try entry.canonicalBytes() == CanonicalJSON.encode(entry))
                #expect(try AuditEntry.decode(entry.canonicalBytes()) == entry)
            }
        }
    }
}
