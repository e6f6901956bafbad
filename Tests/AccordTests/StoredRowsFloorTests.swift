import AccordCore
import AccordStore
import BenchmarkSupport
import Foundation
import GRDB
import Testing

@Suite("The sync benchmark's stored-rows floor writes again exactly the rows the server stored for a push")
struct StoredRowsFloorTests {
    @Test("every event, feed row, audit entry and completed tree node of the pushed events, and nothing else")
    func copiesThePushedRows() throws {
        let folder = TemporaryDirectory("stored-rows-floor")
        defer { folder.remove() }
        let (server, north, _) = try northAndSouth(folder, backend: .sqlite)
        // Over 2,000 events: three commits in the copy, and tree nodes up to height 8 (256 leaves).
        let patients = (0..<20).map { _ in Identifiers.make() }
        var drafts = patients.flatMap { patient in
            [EventDraft(patient: patient, payload: .patientRegistered(PatientRegistered(name: "Floor Patient", born: LocalDate("1960-01-01")!))),
             EventDraft(patient: patient, payload: .patientShared(PatientShared(site: "south")))]
        }
        while drafts.count < 2_100 {
            drafts.append(EventDraft(patient: patients[drafts.count % patients.count], payload: .noteAdded(NoteAdded(text: "note \(drafts.count)"))))
        }
        try north.store().append(drafts)
        try north.sync()
        server.stop()

        let copy = folder.path("copy.sqlite")
        let rate = try StoredRowsFloor.eventsPerSecond(copying: server.location, events: drafts.count, in: folder.url, keeping: copy)
        #expect(rate > 0)
        let source = try DatabaseQueue(path: server.location), written = try DatabaseQueue(path: copy.path)
        func rows(_ db: DatabaseQueue, _ sql: String) throws -> [[DatabaseValue]] {
            try db.read { db in try Row.fetchAll(db, sql: sql).map { Array($0.databaseValues) } }
        }
        let last = try source.read { db in try Int.fetchOne(db, sql: "SELECT max(audit_position) FROM events")! }
        for table in ["events", "feed"] {
            #expect(try rows(written, "SELECT * FROM \(table) ORDER BY seq") == rows(source, "SELECT * FROM \(table) ORDER BY seq"))
        }
        // The audit log up to the last pushed event's entry, whole; none after it (the later pull and key entries).
        #expect(try rows(written, "SELECT * FROM audit_log ORDER BY position") == rows(source, "SELECT * FROM audit_log WHERE position <= \(last) ORDER BY position"))
        // Tree nodes whose leaves were all appended by then, chosen here in Swift, not by the floor's own query.
        let nodes = try rows(source, "SELECT * FROM merkle_nodes ORDER BY height, idx").filter { node in
            guard case .int64(let height) = node[0].storage, case .int64(let index) = node[1].storage else { return false }
            return (index + 1) * (1 << height) - 1 <= Int64(last)
        }
        #expect(try rows(written, "SELECT * FROM merkle_nodes ORDER BY height, idx") == nodes)
        #expect(nodes.contains { $0[0] == 8.databaseValue })
    }
}
