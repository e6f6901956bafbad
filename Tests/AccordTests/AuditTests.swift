import AccordCore
import AccordLog
import AccordServer
import AccordStore
import AccordSync
import Crypto
import Foundation
import GRDB
import Testing

/// Signatures and the tamper-evident audit log, end to end: a real server, real sites, real Ed25519 keys, and
/// tampering done directly in the server's database.
@Suite("Audit: signatures, the Merkle log and the auditor's view", .serialized)
struct AuditTests {
    let folder = TemporaryDirectory("audit")

    /// A server with one site whose key is approved, and a patient with a consent and an agreement synced.
    func setUp(_ backend: ServerBackend = .sqlite, serverArguments: [String] = []) throws -> (ServerProcess, TestSite, String) {
        let server = try ServerProcess(folder, backend: backend, extraArguments: serverArguments)
        let north = try TestSite("north", server: server, folder: folder)
        let patient = try north.addPatient("Ann Lee", mrn: "A1")
        #expect(try north.run("consent", "--patient", "A1", "--discussed", "all", "--decision", "accepts", "--naloxone", "offered", "--agreed", "verbal").status == 0)
        #expect(try north.run("agreement", "sign", "--patient", "A1", "--clauses", "default", "--agreed", "paper").status == 0)
        #expect(try north.run("agreement", "amend", "--patient", "A1", "--clauses", "one-prescriber,one-pharmacy", "--reason", "shorter", "--agreed", "in-person", "--sign-as", "witness").status == 0)
        try north.sync()
        return (server, north, patient)
    }

    func push(_ server: ServerProcess, _ site: TestSite, _ items: [SyncWire.Item]) async throws -> PushResponse {
        let reply = try await HTTP.send("POST", server.url + SyncWire.eventsPath, credential: site.credential, body: SyncWire.pushBody(items))
        #expect(reply.status == 200)
        return try JSONDecoder().decode(PushResponse.self, from: reply.body)
    }

    @Test("signed entries carry the signer's name, meaning and how the patient agreed inside the signed bytes")
    func signedBytes() throws {
        defer { folder.remove() }
        let home = folder.path("store")
        #expect(try Run.accord(["init", "--site", "north", "--clinician", "Dr. Ana Reyes"], store: home).status == 0)
        #expect(try Run.accord(["patient", "add", "--name", "Ann", "--born", "1970-01-01", "--mrn", "A1"], store: home).status == 0)
        #expect(try Run.accord(["consent", "--patient", "A1", "--discussed", "all", "--decision", "accepts", "--naloxone", "offered", "--agreed", "paper", "--sign-as", "patient-acknowledgement"], store: home).status == 0)
        #expect(try Run.accord(["goal", "add", "--patient", "A1", "--text", "Walk"], store: home).status == 0)
        let store = try EventStore.open(at: home)
        let events = try store.events(patient: try store.resolvePatient("A1").id)
        let consent = try #require(events.first { $0.envelope.type == .consentRecorded })
        let text = String(decoding: consent.bytes, as: UTF8.self)
        #expect(text.contains("\"meaning\":\"patient-acknowledgement\"") && text.contains("\"patientAgreed\":\"paper\"") && text.contains("\"name\":\"Dr. Ana Reyes\""))
        let key = try ClinicianKey.load(from: home)
        #expect(consent.signatureStatus == .valid(fingerprint: key.fingerprint))
        #expect(events.first { $0.envelope.type == .goalSet }?.signatureStatus == .notRequired)
        try SchemaValidator.expectValid(events.map(\.bytes))
    }

    @Test("forged, copied, edited and unknown-key signatures are refused with the reason; the site keeps the entry", arguments: ServerBackend.available)
    func refusedSignatures(backend: ServerBackend) async throws {
        defer { folder.remove() }
        let (server, north, patient) = try setUp(backend)
        let events = try north.store().events(patient: patient)
        let consent = try #require(events.first { $0.envelope.type == .consentRecorded })
        let agreement = try #require(events.first { $0.envelope.type == .agreementSigned })
        let forged = Data((0..<64).map { _ in UInt8.random(in: 0...255) })

        // Edited after signing: a clause changed, so new bytes and id, with the original signature.
        var edited = agreement.envelope
        if case .agreementSigned(var payload) = edited.payload { payload.clauses = ["one-prescriber"]; edited.payload = .agreementSigned(payload) }
        let editedEvent = try Event(edited)
        // Signed with a key the server never saw, in the name of the same clinician.
        var stranger = consent.envelope
        let strangerKey = Curve25519.Signing.PrivateKey()
        stranger.signing = Signing(key: strangerKey.publicKey.rawRepresentation.base64EncodedString(), meaning: .author, patientAgreed: .verbal)
        stranger.recorded = Timestamp.iso8601(epochMilliseconds: stranger.hlc.wall + 1)
        let strangerEvent = try Event.signed(stranger, with: strangerKey)
        var unsignedEnvelope = consent.envelope
        unsignedEnvelope.signing = nil
        unsignedEnvelope.recorded = Timestamp.iso8601(epochMilliseconds: unsignedEnvelope.hlc.wall + 2)
        let unsigned = try Event(unsignedEnvelope)

        let response = try await push(server, north, [
            SyncWire.Item(id: editedEvent.id, bytes: editedEvent.bytes, signature: agreement.signature),
            SyncWire.Item(id: consent.id, bytes: consent.bytes, signature: forged),
            SyncWire.Item(id: agreement.id, bytes: agreement.bytes, signature: consent.signature),
            SyncWire.Item(id: strangerEvent.id, bytes: strangerEvent.bytes, signature: strangerEvent.signature),
            SyncWire.Item(id: unsigned.id, bytes: unsigned.bytes, signature: nil),
        ])
        // Every bad signature is refused, even on events the server already holds, whose true signatures stay.
        #expect(response.rejected.map(\.code) == ["signature-invalid", "signature-invalid", "signature-invalid", "key-unknown", "unsigned"])
        #expect(response.accepted.isEmpty)
        #expect(response.rejected[0].reason.contains("changed after signing"))
        #expect(try server.eventIDs(patient: patient).count == events.count)
        #expect(try server.signatureHex(event: consent.id.hex) == consent.signature.map { HexEncoding.encode($0) })

        // New events with bad signatures, never seen before, are refused too.
        var fresh = consent.envelope
        fresh.recorded = Timestamp.iso8601(epochMilliseconds: fresh.hlc.wall + 3)
        let freshEvent = try Event(fresh)
        let second = try await push(server, north, [
            SyncWire.Item(id: freshEvent.id, bytes: freshEvent.bytes, signature: forged),
            SyncWire.Item(id: freshEvent.id, bytes: freshEvent.bytes, signature: agreement.signature),
        ])
        #expect(second.rejected.map(\.code) == ["signature-invalid", "signature-invalid"])
        #expect(second.accepted.isEmpty)
    }

    @Test("a revoked key's new entries are refused; the site shows why and keeps them; a pending key holds entries until approved", arguments: ServerBackend.available)
    func revokedAndPendingKeys(backend: ServerBackend) throws {
        defer { folder.remove() }
        let (server, north, _) = try setUp(backend)
        try server.admin("key", "revoke", north.keyFingerprint)
        #expect(try north.run("agreement", "renew", "--patient", "A1").status == 0)
        let refused = try north.run("sync")
        #expect(refused.status != 0)
        #expect(refused.stdout.contains("key-revoked") && refused.stdout.contains("revoked"))
        #expect(try north.store().syncState.refusedEvents().map(\.code) == ["key-revoked"])
        let again = try Run.process(Paths.executable("accord-server"), ["key", "approve", north.keyFingerprint] + server.databaseArguments)
        #expect(again.status != 0 && again.stderr.contains("never approved again"), "a revoked key must not be approved again")

        let south = try TestSite("south", server: server, folder: folder, approveKey: false)
        _ = try south.addPatient("Bo", mrn: "B1")
        #expect(try south.run("consent", "--patient", "B1", "--discussed", "all", "--decision", "accepts", "--naloxone", "offered").status == 0)
        let pending = try south.run("sync")
        #expect(pending.status != 0 && pending.stdout.contains("awaits approval"))
        let keys = try server.admin("key", "list", "--json")
        let list = try JSONDecoder().decode([KeyInfo].self, from: Data(keys.stdout.utf8))
        #expect(list.map(\.status) == [.revoked, .pending])
        try server.admin("key", "approve", String(south.keyFingerprint.prefix(12)))
        let approved = try south.run("sync")
        #expect(approved.status == 0, "\(approved.stdout)\(approved.stderr)")
        #expect(try south.store().syncState.refusedEvents().isEmpty)
    }

    @Test("a clinician id belongs to the site that registered it: another site registering a key for it gets 409", arguments: ServerBackend.available)
    func clinicianBoundToSite(backend: ServerBackend) async throws {
        defer { folder.remove() }
        let (server, north, _) = try setUp(backend)
        let south = try TestSite("south", server: server, folder: folder)
        let impostor = Curve25519.Signing.PrivateKey().publicKey.rawRepresentation.base64EncodedString()
        let registration = KeyRegistration(publicKey: impostor, clinicianId: try north.store().identity.clinicianID, clinicianName: "Dr. North")
        let reply = try await HTTP.send("POST", server.url + SyncWire.keysPath, credential: south.credential, body: try JSONEncoder().encode(registration))
        #expect(reply.status == 409)
        let body = try JSONDecoder().decode(ErrorBody.self, from: reply.body)
        #expect(body.error == .conflict && body.message.contains("belongs to site 'north'"), "\(body.message)")
        #expect(try server.admin("key", "list").stdout.contains(String(Signing.fingerprint(ofPublicKey: Data(base64Encoded: impostor)!).prefix(16))) == false)
        // North itself registering another key for its clinician is still allowed (a replaced key).
        let replacement = KeyRegistration(publicKey: Curve25519.Signing.PrivateKey().publicKey.rawRepresentation.base64EncodedString(),
                                          clinicianId: try north.store().identity.clinicianID, clinicianName: "Dr. North")
        let own = try await HTTP.send("POST", server.url + SyncWire.keysPath, credential: north.credential, body: try JSONEncoder().encode(replacement))
        #expect(own.status == 200)
    }

    @Test("an event whose author is a clinician of another site is refused, signed or not; the site's own authors are accepted", arguments: ServerBackend.available)
    func authorBoundToSite(backend: ServerBackend) async throws {
        defer { folder.remove() }
        let (server, north, _) = try setUp(backend)
        let south = try TestSite("south", server: server, folder: folder)
        let northAuthor = Author(id: try north.store().identity.clinicianID, name: "Dr. North")
        let southAuthor = Author(id: try south.store().identity.clinicianID, name: "Dr. South")
        func note(by author: Author, _ text: String) throws -> Event {
            let now = ServerClockForTests.now()
            return try Event(EventEnvelope(patient: Identifiers.make(), author: author, site: "south", hlc: HLCTimestamp(wall: now, logical: 0),
                                           recorded: Timestamp.iso8601(epochMilliseconds: now), parents: [], payload: .noteAdded(NoteAdded(text: text))))
        }
        let forged = try note(by: northAuthor, "written at south in north's name")
        let honest = try note(by: southAuthor, "written at south by south")
        let answer = try await push(server, south, [forged, honest].map { SyncWire.Item(id: $0.id, bytes: $0.bytes, signature: nil) })
        #expect(answer.rejected.map(\.code) == [.authorWrongSite])
        #expect(answer.rejected.first?.reason.contains("site 'north'") == true)
        #expect(answer.accepted.map(\.id) == [honest.id.hex])
    }

    @Test("accord verify checks signatures and inclusion proofs; the site's log check refuses a rolled-back server")
    func siteVerification() throws {
        defer { folder.remove() }
        let (server, north, _) = try setUp()
        let verified = try north.run("verify", "--patient", "A1", "--json")
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        let results = try JSONSerialization.jsonObject(with: Data(verified.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(results.count == 4 && results.allSatisfy { $0["inLog"] as? String == "included" && ($0["logPosition"] as? Int).map { $0 > 0 } == true })
        #expect(try north.run("verify", "--patient", "A1").stdout.contains("in the log at position"))

        // Keep a copy of the server as it is, let the log grow and the site see it, then put the old copy back.
        // The database and its write-ahead log together are the server's state.
        server.stop()
        let snapshot = folder.path("snapshot.sqlite")
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: server.database.path + suffix) {
            try FileManager.default.copyItem(atPath: server.database.path + suffix, toPath: snapshot.path + suffix)
        }
        try server.restart()
        #expect(try north.run("goal", "add", "--patient", "A1", "--text", "Garden").status == 0)
        try north.sync()
        server.stop()
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: server.database.path + suffix) }
        for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: snapshot.path + suffix) {
            try FileManager.default.copyItem(atPath: snapshot.path + suffix, toPath: server.database.path + suffix)
        }
        try server.restart()
        let rolledBack = try north.run("sync")
        #expect(rolledBack.status != 0)
        #expect(rolledBack.stderr.contains("AUDIT LOG CHECK FAILED") && rolledBack.stderr.contains("rolled back"), "\(rolledBack.stderr)")
        #expect(try north.run("verify", "--patient", "A1").status != 0)
    }

    @Test("a database from before events kept their log position (ids as hex, no store column) is upgraded in place: every position filled in, ids stored as bytes, the log verifies, proofs are served")
    func upgradeFillsLogPositions() throws {
        defer { folder.remove() }
        let (server, north, _) = try setUp()
        server.stop()
        var withoutForeignKeys = Configuration()
        withoutForeignKeys.foreignKeysEnabled = false  // as a migration runs: the table is rebuilt under the feed's rows
        let database = try DatabaseQueue(path: server.database.path, configuration: withoutForeignKeys)
        let logged: [String: Int] = try database.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT event_id, position FROM audit_log WHERE event_id IS NOT NULL").map {
                ($0["event_id"] as String, $0["position"] as Int)
            })
        }
        #expect(logged.count == 4)
        // Back to the shape migrations 0001 and 0002 left: ids as 64 hex digits, no position or store column, the
        // index on the log's event ids. Migrations 0003 and later then run on it as on a real old database.
        try database.write { db in
            try db.execute(sql: """
                CREATE TABLE events_as_shipped (
                    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE CHECK (length(id) = 64), patient TEXT NOT NULL,
                    site TEXT NOT NULL, type TEXT NOT NULL, hlc_wall INTEGER NOT NULL, hlc_logical INTEGER NOT NULL,
                    body BLOB NOT NULL, received_at TEXT NOT NULL, signature BLOB) STRICT;
                INSERT INTO events_as_shipped SELECT seq, lower(hex(id)), patient, site, type, hlc_wall, hlc_logical, body, received_at, signature
                    FROM events ORDER BY seq;
                DROP TABLE events;
                ALTER TABLE events_as_shipped RENAME TO events;
                CREATE INDEX events_by_patient ON events (patient, seq);
                CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
                CREATE TRIGGER events_refuse_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END;
                CREATE UNIQUE INDEX audit_log_by_event ON audit_log (event_id) WHERE event_id IS NOT NULL;
                DROP TABLE cosignatures;
                DROP TABLE witnesses;
                DELETE FROM grdb_migrations WHERE identifier >= '0003';
                """)
            // The tree as servers before migration 0006 kept it: every complete subtree hash, at every height.
            let leaves = try Data.fetchAll(db, sql: "SELECT leaf_hash FROM audit_log ORDER BY position")
            let levels = MerkleLevels(leaves: leaves)
            for (height, hashes) in levels.levels.enumerated() {
                for (index, hash) in hashes.enumerated() {
                    try db.execute(sql: "INSERT OR IGNORE INTO merkle_nodes (height, idx, hash) VALUES (?, ?, ?)", arguments: [height, index, hash])
                }
            }
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM merkle_nodes WHERE height % 4 != 0")! > 0)
        }
        try database.close()
        try server.restart()
        let upgraded = try DatabaseQueue(path: server.database.path)
        let positions: [String: Int?] = try upgraded.read { db in
            #expect(try Bool.fetchOne(db, sql: "SELECT 1 FROM sqlite_master WHERE name = 'audit_log_by_event'") == nil)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE typeof(id) = 'blob' AND length(id) = 32") == logged.count)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM merkle_nodes WHERE height % 4 != 0") == 0, "hashes that can be folded are dropped")
            return Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT lower(hex(id)) AS id, audit_position FROM events").map {
                ($0["id"] as String, $0["audit_position"] as Int?)
            })
        }
        try upgraded.close()
        #expect(positions == logged.mapValues { Optional($0) })
        #expect(try server.admin("audit", "verify").stdout.contains("The audit log is intact"))
        let verified = try north.run("verify", "--patient", "A1", "--json")
        #expect(verified.status == 0, "\(verified.stdout)\(verified.stderr)")
        #expect(try north.run("goal", "add", "--patient", "A1", "--text", "Garden").status == 0)
        try north.sync()
        #expect(try server.admin("audit", "verify").stdout.contains("The audit log is intact"))
    }

    /// Ways to tamper with the server's database directly, and the position `audit verify` must name.
    enum Tamper: String, CaseIterable, Sendable {
        case editEntry, editEntryAndLeaf, deleteRow, swapRows, editEventBody, swapSignature, insertRow, editColumn
    }

    @Test("audit verify passes a clean log and names the first bad position after tampering", arguments: Tamper.allCases)
    func tampering(_ tamper: Tamper) throws {
        defer { folder.remove() }
        let (server, north, _) = try setUp()
        _ = try north.addPatient("Cy", mrn: "C1")
        try north.sync()
        server.stop()
        let clean = try Run.process(Paths.executable("accord-server"), ["audit", "verify", "--json"] + server.databaseArguments)
        #expect(clean.status == 0, "\(clean.stdout)")
        let database = try DatabaseQueue(path: server.database.path)
        let (target, accepted): (Int, [Int]) = try database.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_refuse_update; DROP TRIGGER audit_log_refuse_delete; DROP TRIGGER events_refuse_update")
            let accepted = try Int.fetchAll(db, sql: "SELECT position FROM audit_log WHERE kind = 'event.accepted' ORDER BY position")
            return (accepted[1], accepted)
        }
        try database.write { db in
            switch tamper {
            case .editEntry:
                try db.execute(sql: "UPDATE audit_log SET entry = CAST(replace(CAST(entry AS TEXT), 'north', 'south') AS BLOB) WHERE position = ?", arguments: [target])
            case .editEntryAndLeaf:
                let entry = try Data.fetchOne(db, sql: "SELECT entry FROM audit_log WHERE position = ?", arguments: [target])!
                let changed = Data(String(decoding: entry, as: UTF8.self).replacingOccurrences(of: "north", with: "south").utf8)
                try db.execute(sql: "UPDATE audit_log SET entry = ?, leaf_hash = ?, site = 'south' WHERE position = ?", arguments: [changed, MerkleHash.leaf(changed), target])
            case .deleteRow:
                try db.execute(sql: "DELETE FROM audit_log WHERE position = ?", arguments: [target])
            case .swapRows:
                try db.execute(sql: "UPDATE audit_log SET position = 1000000 WHERE position = ?", arguments: [target])
                try db.execute(sql: "UPDATE audit_log SET position = ? WHERE position = ?", arguments: [target, accepted[2]])
                try db.execute(sql: "UPDATE audit_log SET position = ? WHERE position = 1000000", arguments: [accepted[2]])
            case .editEventBody:
                let id = try String.fetchOne(db, sql: "SELECT event_id FROM audit_log WHERE position = ?", arguments: [target])!
                try db.execute(sql: "UPDATE events SET body = CAST(replace(CAST(body AS TEXT), 'Ann Lee', 'Ann Lie') AS BLOB) WHERE id = ?", arguments: [HexEncoding.decode(id)])
                try db.execute(sql: "UPDATE events SET body = CAST(replace(CAST(body AS TEXT), 'offered', 'declined') AS BLOB) WHERE id = ?", arguments: [HexEncoding.decode(id)])
                try db.execute(sql: "UPDATE events SET body = CAST(replace(CAST(body AS TEXT), '\"in-person\"', '\"verbal\"') AS BLOB) WHERE id = ?", arguments: [HexEncoding.decode(id)])
            case .swapSignature:
                let other = try String.fetchOne(db, sql: "SELECT event_id FROM audit_log WHERE position = ?", arguments: [accepted[2]])!
                let id = try String.fetchOne(db, sql: "SELECT event_id FROM audit_log WHERE position = ?", arguments: [target])!
                try db.execute(sql: "UPDATE events SET signature = (SELECT signature FROM events WHERE id = ?) WHERE id = ?", arguments: [HexEncoding.decode(other), HexEncoding.decode(id)])
            case .insertRow:
                let size = try Int.fetchOne(db, sql: "SELECT max(position) + 1 FROM audit_log")!
                let entry = try AuditEntry(position: size, kind: .recordRead, at: "2026-01-01T00:00:00.000Z", site: "north").canonicalBytes()
                try db.execute(sql: "INSERT INTO audit_log (position, kind, at, site, entry, leaf_hash) VALUES (?, 'record.read', '2026-01-01T00:00:00.000Z', 'north', ?, ?)",
                               arguments: [size, entry, MerkleHash.leaf(entry)])
            case .editColumn:
                try db.execute(sql: "UPDATE audit_log SET site = 'south' WHERE position = ?", arguments: [target])
            }
        }
        let result = try Run.process(Paths.executable("accord-server"), ["audit", "verify", "--json"] + server.databaseArguments)
        #expect(result.status == 1, "\(tamper): \(result.stdout)")
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
        let first = report["firstBadPosition"] as? Int
        let size = try database.read { db in try Int.fetchOne(db, sql: "SELECT max(position) FROM audit_log")! }
        switch tamper {
        case .editEntryAndLeaf:
            // Rewritten consistently, the entry still breaks the checkpoint signed after its batch: the report names
            // where the last good checkpoint ends, at or before the change.
            #expect(first != nil && first! <= target, "\(result.stdout)")
        case .insertRow:
            #expect(first == size, "\(result.stdout)")
        default:
            #expect(first == target, "\(tamper): \(result.stdout)")
        }
        let text = try Run.process(Paths.executable("accord-server"), ["audit", "verify"] + server.databaseArguments)
        #expect(text.status == 1 && text.stdout.contains("FAILS verification") && text.stdout.contains("first bad position"))
    }

    @Test("audit agreements and audit access answer with history, signatures, proofs and who read what", arguments: ServerBackend.available)
    func auditQueries(backend: ServerBackend) throws {
        defer { folder.remove() }
        let (server, north, patient) = try setUp(backend)
        let south = try TestSite("south", server: server, folder: folder)
        #expect(try north.run("patient", "share", "--patient", "A1", "--site", "south").status == 0)
        try north.sync()
        try south.sync()
        let result = try server.admin("audit", "agreements", "--patient", patient, "--json")
        let audits = try JSONDecoder().decode([AgreementAudit].self, from: Data(result.stdout.utf8))
        let agreement = try #require(audits.first)
        #expect(agreement.status == "active" && agreement.versions.count == 2)
        #expect(agreement.versions.map(\.meaning) == ["author", "witness"])
        #expect(agreement.versions.map(\.patientAgreed) == ["paper", "in-person"])
        #expect(agreement.versions.allSatisfy { $0.signature == "valid" && $0.keyStatus == "approved" && $0.inclusionVerified })
        let proofBytes = agreement.versions[0].inclusionProof?.proof.count ?? 0
        #expect(proofBytes > 0)
        #expect(try JSONDecoder().decode([AgreementAudit].self, from: Data(try server.admin("audit", "agreements", "--status", "ended", "--json").stdout.utf8)).isEmpty)
        #expect(try Run.process(Paths.executable("accord-server"), ["audit", "agreements", "--status", "lapsed"] + server.databaseArguments).status == 64)

        let access = try JSONDecoder().decode([AccessEntry].self, from: Data(try server.admin("audit", "access", "--patient", patient, "--json").stdout.utf8))
        #expect(access.contains { $0.action == "write" && $0.site == "north" && $0.detail == "agreement.signed" && $0.outcome == "ok" })
        #expect(access.contains { $0.action == "read" && $0.site == "south" && $0.remoteAddress == "127.0.0.1" })
    }

    @Test("a command without the key that signed the log is refused and makes no new key; a different key is refused too",
          arguments: ServerBackend.available)
    func signingKeyGuard(backend: ServerBackend) throws {
        defer { folder.remove() }
        let (server, _, _) = try setUp(backend)
        let missing = folder.path("elsewhere.signing-key")
        let withoutKey = try Run.process(Paths.executable("accord-server"), ["audit", "verify", "--database", server.location, "--signing-key", missing.path])
        #expect(withoutKey.status != 0 && withoutKey.stderr.contains("is missing"), "\(withoutKey.stderr)")
        #expect(!FileManager.default.fileExists(atPath: missing.path), "no new key may be made for a signed log")
        let other = folder.path("other.signing-key")
        try Data((0..<32).map { _ in UInt8.random(in: 0...255) }).write(to: other)
        let wrongKey = try Run.process(Paths.executable("accord-server"), ["site", "add", "west", "--database", server.location, "--signing-key", other.path])
        #expect(wrongKey.status != 0 && wrongKey.stderr.contains("is not the key that signed"), "\(wrongKey.stderr)")
        #expect(try server.query("SELECT count(*) FROM sites WHERE name = 'west'") == ["0"])
        #expect(try server.admin("audit", "verify").status == 0)
    }

    @Test("credentials stay in their lane: an auditor's opens no sync route, a site's opens no audit page; both refusals are logged", arguments: ServerBackend.available)
    func credentialLanes(backend: ServerBackend) async throws {
        defer { folder.remove() }
        let (server, north, _) = try setUp(backend, serverArguments: ["--refusal-window", "1"])
        let auditor = try JSONDecoder().decode([String: String].self, from: Data(try server.admin("auditor", "add", "carol", "--json").stdout.utf8))["credential"]!
        for path in [SyncWire.eventsPath, SyncWire.checkpointPath, SyncWire.inclusionPath + "?event=" + String(repeating: "a", count: 64)] {
            #expect(try await HTTP.send("GET", server.url + path, credential: auditor).status == 401, "\(path)")
        }
        #expect(try await HTTP.send("POST", server.url + SyncWire.eventsPath, credential: auditor, body: Data("x".utf8)).status == 401)
        #expect(try await HTTP.send("GET", server.url + "/audit", credential: north.credential).status == 401)
        // Without any credential the page answers 401 with a Basic challenge, which URLSession on Linux waits on; curl does not.
        let bare = try Run.process(URL(fileURLWithPath: "/usr/bin/env"), ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %header{www-authenticate}", server.url + "/audit"])
        #expect(bare.stdout.hasPrefix("401 Basic realm="), "\(bare.stdout)")
        #expect(try await HTTP.send("GET", server.url + "/audit", credential: auditor).status == 200)
        try server.admin("auditor", "revoke", "carol")
        #expect(try await HTTP.send("GET", server.url + "/audit", credential: auditor).status == 401)
        try await Task.sleep(for: .seconds(4))  // refusals are written as counted summaries once their window closes
        let log = try Run.process(Paths.executable("accord-server"), ["audit", "verify", "--json"] + server.databaseArguments)
        #expect(log.status == 0)
        let text = backend == .postgres ? "convert_from(entry, 'UTF8')" : "CAST(entry AS TEXT)"
        let refusals = try server.query("SELECT \(text) FROM audit_log WHERE kind = 'credential.refused'").map { text -> Int in
            guard let start = text.range(of: "\"detail\":\"") else { return 0 }
            return Int(text[start.upperBound...].prefix { $0.isNumber }) ?? 0
        }.reduce(0, +)
        #expect(refusals >= 7)
    }

    @Test("the auditor's patient page shows the care team, the agreements and each trend as a chart, and logs the read", arguments: ServerBackend.available)
    func auditorPatientPage(backend: ServerBackend) async throws {
        defer { folder.remove() }
        let (server, north, patient) = try setUp(backend)
        #expect(try north.run("meds", "--patient", "A1", "--med", "oxycodone 10 mg q6h").status == 0)
        #expect(try north.run("checkin", "--patient", "A1", "--peg", "7,7,6", "--phq2", "2,2").status == 0)
        try north.sync()
        let credential = try JSONDecoder().decode([String: String].self, from: Data(try server.admin("auditor", "add", "carol", "--json").stdout.utf8))["credential"]!
        let page = try await HTTP.send("GET", server.url + "/audit/patients/\(patient)", credential: credential)
        #expect(page.status == 200)
        let html = String(decoding: page.body, as: UTF8.self)
        for text in ["Patient Ann Lee", "Care team</dt><dd>north", "/audit/agreements/", "<svg class=\"trend\"", "PEG (pain and interference, 0-10)",
                     "PHQ-2 (depression screen, 0-6)", "Opioid dose (MME a day)", "Dashed line: 50 MME a day"] {
            #expect(html.contains(text), "the page lacks \(text)")
        }
        #expect(!html.contains("<script"))
        #expect(try await HTTP.send("GET", server.url + "/audit/patients/\(patient)", credential: north.credential).status == 401, "a site's credential opens no audit page")
        #expect(try await HTTP.send("GET", server.url + "/audit/patients/0f0e0d0c-0b0a-4909-8807-060504030201", credential: credential).status == 404)
        #expect(try await HTTP.send("GET", server.url + "/audit/patients/not-an-id", credential: credential).status == 400)
        let text = backend == .postgres ? "convert_from(entry, 'UTF8')" : "CAST(entry AS TEXT)"
        let reads = try server.query("SELECT \(text) FROM audit_log WHERE kind = 'audit.viewed'").filter { $0.contains("patient page") }
        #expect(reads.count == 2, "the read and the not-found are both logged: \(reads)")
    }

    @Test("the auditor's page in headless Chromium: agreements, one agreement's signatures and the checkpoint; screenshots kept",
          .enabled(if: ExportCommandTests.chromium != nil || ExportCommandTests.inCI, "Chromium is not installed: `apt-get install chromium` to run this test (CI installs it)."))
    func auditorPageInBrowser() throws {
        defer { folder.remove() }
        let (server, _, _) = try setUp()
        let credential = try JSONDecoder().decode([String: String].self, from: Data(try server.admin("auditor", "add", "carol", "--json").stdout.utf8))["credential"]!
        let browser = try #require(ExportCommandTests.chromium, "Chromium is required in CI (.ci/run installs it)")
        let artifacts = Paths.packageRoot.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let audits = try JSONDecoder().decode([AgreementAudit].self, from: Data(try server.admin("audit", "agreements", "--json").stdout.utf8))
        let agreement = try #require(audits.first?.agreement)
        let base = server.url.replacingOccurrences(of: "http://", with: "http://carol:\(credential.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? credential)@")
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(folder.path("chromium").path)"]
        for (page, name, expected) in [("/audit?status=active", "audit-agreements.png", ["Treatment agreements", "Ann Lee", "active", "2 of 2 valid", "latest signed checkpoint"]),
                                       ("/audit/agreements/\(agreement)", "audit-agreement.png", ["Signed on", "Amended on", "signature valid", "witness", "paper", "proof verified against checkpoint", "Root hash"]),
                                       ("/audit/patients/\(try #require(audits.first?.patient))", "audit-patient.png", ["Patient Ann Lee", "Care team", "Trends"])] {
            let dom = try Run.process(URL(fileURLWithPath: browser), common + ["--dump-dom", base + page])
            #expect(dom.status == 0)
            for text in expected { #expect(dom.stdout.contains(text), "\(page) lacks \(text)") }
            #expect(!dom.stdout.contains("<script"))
            let shot = try Run.process(URL(fileURLWithPath: browser), common + ["--window-size=1200,1400", "--screenshot=\(artifacts.appendingPathComponent(name).path)", base + page])
            #expect(shot.status == 0)
        }
    }
}

/// Now, in the milliseconds events carry.
enum ServerClockForTests {
    static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }
}
