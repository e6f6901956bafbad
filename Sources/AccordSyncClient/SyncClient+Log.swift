import AccordCore
import AccordLog
import AccordStore
import AccordSync
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension SyncEngine {
    func request(_ base: URL, _ path: String, credential: String, query: [String: String] = [:]) -> URLRequest {
        var components = URLComponents(url: base.appendingPathComponent(String(path.dropFirst())), resolvingAgainstBaseURL: false)!
        if !query.isEmpty { components.queryItems = query.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) } }
        var request = URLRequest(url: components.url!)
        request.setValue("Bearer \(credential)", forHTTPHeaderField: "Authorization")
        return request
    }

    func decode<T: Decodable>(_ type: T.Type, _ reply: SyncReply, _ what: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: reply.body) } catch {
            throw SyncError(.badAnswer, "The server's \(what) could not be read; try again later.", retryable: true)
        }
    }

    /// Checks that the credential is this store's site's: a key registered with another site's credential would
    /// bind the clinician to that site, and every entry would be refused.
    func checkSite(base: URL, credential: String) async throws {
        let answer = try decode([String: String].self, try await exchange(request(base, SyncWire.sitePath, credential: credential)), "answer naming the site")
        guard let site = answer["site"] else { throw SyncError(.badAnswer, "The server did not say which site the credential belongs to; try again later.", retryable: true) }
        guard site == store.identity.site else {
            throw SyncError(.wrongSite, "The credential belongs to site '\(site)', but this store writes as site '\(store.identity.site)': its entries would be refused and the clinician's key registered at the wrong site. Nothing was sent or registered.")
        }
    }

    /// Registers this clinician's public key with the server (idempotent) and says where it stands. Once approved,
    /// entries refused while it was pending go out again.
    func registerKey(base: URL, credential: String) async throws -> KeyInfo {
        let publicKey = try store.keys.publicKey()
        var request = request(base, SyncWire.keysPath, credential: credential)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONEncoder().encode(KeyRegistration(publicKey: publicKey.rawRepresentation.base64EncodedString(),
                                                                    clinicianId: store.identity.clinicianID, clinicianName: store.identity.clinicianName))
        let info = try decode(KeyInfo.self, try await exchange(request), "answer to the key registration")
        if info.status == .approved { try store.syncState.retryRefused(codes: [RefusalCode.keyPending.rawValue]) }
        return info
    }

    /// Fetches the server's latest signed checkpoint and checks it against the last one this site verified: the
    /// same signing key, never smaller, and a consistency proof that the old log is a prefix of the new. Stops the
    /// sync with a loud error otherwise. Returns the checkpoint now verified.
    @discardableResult
    func checkLog(base: URL, credential: String) async throws -> Checkpoint? {
        let reply: SyncReply
        do {
            // Asking with the size verified last brings the consistency proof in the same answer.
            reply = try await exchange(request(base, SyncWire.checkpointPath, credential: credential,
                                               query: try pinnedCheckpoint().map { ["since": String($0.size)] } ?? [:]))
        } catch let error as SyncError where error.serverCode == .logEmpty {
            return nil
        }
        let answer = try? JSONDecoder().decode(CheckpointAnswer.self, from: reply.body)
        return try pin(answer?.checkpoint ?? decode(Checkpoint.self, reply, "checkpoint"), consistency: answer?.consistency)
    }

    /// The checkpoint this site verified last, if any.
    func pinnedCheckpoint() throws -> Checkpoint? {
        Self.checkpoint(stored: try store.syncState.logState().checkpoint)
    }

    /// A checkpoint as the sync state keeps it (JSON text); nil when none is kept.
    static func checkpoint(stored text: String?) -> Checkpoint? {
        text.flatMap { try? JSONDecoder().decode(Checkpoint.self, from: Data($0.utf8)) }
    }

    /// Checks `checkpoint` against the one this site verified last (`consistency` proving the old log a prefix of
    /// the new), and keeps it as the one verified.
    @discardableResult
    func pin(_ checkpoint: Checkpoint, consistency: ConsistencyProof?) throws -> Checkpoint {
        let state = try store.syncState.logState()
        let saved = Self.checkpoint(stored: state.checkpoint)
        let pinned = state.serverKey ?? checkpoint.key
        guard let pinnedKey = Data(base64Encoded: pinned), checkpoint.key == pinned else {
            throw Self.logFailure("the server's checkpoint is signed with key \(checkpoint.key.prefix(12))…, but this site pinned key \(pinned.prefix(12))… at its first sync. The server's signing key changed, or this is not the same server.")
        }
        guard checkpoint.verifies(with: pinnedKey) else {
            throw Self.logFailure("the server's checkpoint of size \(checkpoint.size) does not carry a valid signature.")
        }
        // The C2SP note is pinned with the checkpoint from the first sync with a server that signs one; after that a
        // checkpoint without it is a step back to a weaker format, and a note must state the very same checkpoint.
        if checkpoint.note != nil, !checkpoint.noteMatches {
            throw Self.logFailure("the server's signed note for its checkpoint of size \(checkpoint.size) does not verify or does not state the same size and root.")
        }
        if checkpoint.note == nil, saved?.note != nil {
            throw Self.logFailure("the server's checkpoint of size \(checkpoint.size) comes without the signed note this site pinned with the last one: the server went back to an older format, or this is not the same server.")
        }
        if let saved {
            guard checkpoint.size >= saved.size else {
                throw Self.logFailure("the server's log went back from \(saved.size) entries (root \(saved.root.prefix(16)), \(saved.at)) to \(checkpoint.size) (root \(checkpoint.root.prefix(16))): it was rolled back or truncated.")
            }
            if checkpoint.size == saved.size {
                guard checkpoint.root == saved.root else {
                    throw Self.logFailure("the server's log of \(saved.size) entries had root \(saved.root.prefix(16)) at \(saved.at) and now has root \(checkpoint.root.prefix(16)) at the same size: it was rewritten.")
                }
            } else {
                guard let proof = consistency, proof.verifies(old: saved, new: checkpoint) else {
                    throw Self.logFailure("the server's log of \(checkpoint.size) entries (root \(checkpoint.root.prefix(16))) does not extend the log of \(saved.size) entries this site verified on \(saved.at) (root \(saved.root.prefix(16))): entries were changed or removed.")
                }
            }
        }
        if checkpoint == saved && state.serverKey != nil { return checkpoint }  // pinned already: nothing to write
        let text = String(decoding: try JSONEncoder().encode(checkpoint), as: UTF8.self)
        try store.syncState.setLogState(serverKey: pinned, checkpoint: text)
        return checkpoint
    }

    /// The same failure found by the check at the end of a sync: the server changed while this sync ran. What the
    /// sync sent and stored stays (every entry checks against its id and signature); the pin stays as it was.
    static func logFailureAfterExchange(_ failure: SyncError) -> SyncError {
        SyncError(.auditLogFailed, failure.description.replacingOccurrences(
            of: "Nothing was sent or stored.",
            with: "The log changed while this sync ran: what it sent and received is kept (each entry checks against its id and signature) and the pinned checkpoint is unchanged."))
    }

    static func logFailure(_ what: String) -> SyncError {
        SyncError(.auditLogFailed, "AUDIT LOG CHECK FAILED, sync stopped: \(what) Nothing was sent or stored. Report this to the server's administrator (`accord-server audit verify`) and do not sync until it is explained.")
    }

    /// Checks a patient's events at this site: each one's bytes against its id (done when read), its signature, and
    /// for those the server holds, an inclusion proof from the server against a checkpoint consistent with the last
    /// one this site verified.
    /// `witnesses`: when given, the entries must also lie in a checkpoint at least `required` of them cosigned, and
    /// that checkpoint must be a prefix of the one verified.
    public func verify(_ events: [Event], witnesses: [WitnessKey] = [], required: Int = 0) async throws -> [EventVerification] {
        // What can be checked here comes first, for every entry: its bytes against its id (done when read) and its
        // signature. The log is asked only afterwards, and its failing for one entry does not stop the others.
        var results = events.map { event in
            var result = EventVerification(event: event.id, type: event.envelope.type, signature: .notRequired, signingKey: nil,
                                           inLog: .notYetOnServer, logPosition: nil, logSize: nil, problems: [])
            switch event.signatureStatus {
            case .valid(let fingerprint): result.signature = .valid; result.signingKey = fingerprint
            case .notRequired: break
            case .unsigned(let reason): result.signature = .unsigned; result.problems.append(reason)
            case .invalid(let reason): result.signature = .invalid; result.problems.append(reason)
            }
            return result
        }
        let checkpoint: Checkpoint, base: URL, credential: String
        do {
            (_, base, credential) = try endpoint()
            guard let verified = try await checkLog(base: base, credential: credential) else {
                throw SyncError(.refused, "the server's audit log is empty", serverCode: .logEmpty)
            }
            checkpoint = verified
        } catch let error as SyncError where error.code != .auditLogFailed {
            // Offline, or no server: the local checks stand, and every entry the server should hold says it was not checked.
            return try markNotChecked(results, events, because: error.description)
        }
        for (index, event) in events.enumerated() where try store.syncState.isAcknowledged(event.id) {
            do {
                let reply = try await exchange(request(base, SyncWire.inclusionPath, credential: credential, query: ["event": event.id.hex]))
                let answer = try decode(InclusionAnswer.self, reply, "inclusion proof")
                results[index].inLog = verifyInclusion(answer.proof, at: answer.checkpoint, verified: checkpoint, of: event, problems: &results[index].problems)
                if results[index].inLog == .included { (results[index].logPosition, results[index].logSize) = (answer.proof.position, answer.proof.size) }
            } catch let error as SyncError {
                results[index].inLog = .unverified
                results[index].problems.append("the server gave no inclusion proof: \(error.description)")
            }
        }
        if !witnesses.isEmpty { try await checkWitnessed(&results, against: checkpoint, witnesses: witnesses, required: required, base: base, credential: credential) }
        return results
    }

    /// Marks which included entries lie in the latest checkpoint the witnesses cosigned, after checking that
    /// checkpoint: the server's key and signature, its note, `required` valid cosignatures among `witnesses`, and a
    /// consistency proof that it is a prefix of `verified`.
    func checkWitnessed(_ results: inout [EventVerification], against verified: Checkpoint, witnesses: [WitnessKey], required: Int,
                        base: URL, credential: String) async throws {
        var problem: String?
        var cosigned: Checkpoint?
        var cosigners: [String] = []
        do {
            let reply = try await exchange(request(base, SyncWire.checkpointPath, credential: credential, query: ["cosigned": "1"]))
            let candidate = try decode(Checkpoint.self, reply, "cosigned checkpoint")
            if let key = Data(base64Encoded: verified.key), candidate.key == verified.key, candidate.verifies(with: key), candidate.noteMatches,
               let note = candidate.note, let (_, body, signatures) = try? CheckpointNote.parse(note), candidate.size <= verified.size {
                cosigners = witnesses.filter { witness in signatures.contains { witness.verifiedTime($0, body: body) != nil } }.map(\.name)
                if candidate.size < verified.size {
                    let proof = try decode(ConsistencyProof.self, try await exchange(request(base, SyncWire.consistencyPath, credential: credential,
                        query: ["from": String(candidate.size), "to": String(verified.size)])), "consistency proof")
                    if !proof.verifies(old: candidate, new: verified) { problem = "the witnessed checkpoint of size \(candidate.size) is not a prefix of the log this site verified" }
                } else if candidate.root != verified.root {
                    problem = "the witnessed checkpoint of size \(candidate.size) has another root than the one this site verified"
                }
                cosigned = candidate
            } else {
                problem = "the server's cosigned checkpoint does not carry its valid signature and note, or is larger than the log verified"
            }
        } catch let error as SyncError {
            problem = "the server gave no cosigned checkpoint: \(error.description)"
        }
        if problem == nil, cosigners.count < required {
            problem = "the latest cosigned checkpoint (size \(cosigned?.size ?? 0)) carries \(cosigners.count) of the \(required) cosignatures required (\(cosigners.joined(separator: ", ")))"
        }
        for index in results.indices where results[index].inLog == .included {
            if let problem {
                results[index].problems.append(problem)
            } else if let position = results[index].logPosition, let cosigned, position < cosigned.size {
                results[index].witnessedBy = cosigners
            } else {
                results[index].problems.append("not yet in a checkpoint the witnesses cosigned (the latest is of size \(cosigned?.size ?? 0)); verify again after the server's next witness round")
            }
        }
    }

    /// The local results, with every entry the server has acknowledged marked as not checked against the log.
    func markNotChecked(_ results: [EventVerification], _ events: [Event], because reason: String) throws -> [EventVerification] {
        var results = results
        for (index, event) in events.enumerated() where try store.syncState.isAcknowledged(event.id) {
            results[index].inLog = .notChecked
            results[index].problems.append("not checked against the server's audit log: \(reason)")
        }
        return results
    }

    func verifyInclusion(_ proof: InclusionProof, at proofCheckpoint: Checkpoint, verified: Checkpoint, of event: Event,
                         problems: inout [String]) -> EventVerification.LogResult {
        guard proofCheckpoint == verified || (proofCheckpoint.key == verified.key && proofCheckpoint.size >= verified.size
                                               && Data(base64Encoded: verified.key).map(proofCheckpoint.verifies) == true) else {
            problems.append("the inclusion proof is against a checkpoint this site cannot check (size \(proofCheckpoint.size))")
            return .unverified
        }
        guard proof.verifies(against: proofCheckpoint) else {
            problems.append("the server's inclusion proof does not lead to its signed root: the log does not hold this event as claimed")
            return .proofFails
        }
        guard let bytes = Data(base64Encoded: proof.entry), let entry = try? AuditEntry.decode(bytes),
              entry.event == event.id.hex, entry.kind == .eventAccepted else {
            problems.append("the log entry the server proved is not this event's")
            return .wrongEntry
        }
        guard entry.signature == event.signature?.base64EncodedString() else {
            problems.append("the log recorded a different signature for this event than the one held here")
            return .signatureDiffers
        }
        return .included
    }
}

/// One event's verification at a site: its signature, and whether the server's audit log provably holds it.
public struct EventVerification: Codable, Sendable, Equatable {
    /// What the signature check found.
    public enum SignatureResult: String, Codable, Sendable {
        case valid
        /// The kind of entry is not signed.
        case notRequired = "not-required"
        case unsigned
        case invalid
    }

    /// What the inclusion proof showed.
    public enum LogResult: String, Codable, Sendable {
        /// Proved to be in the log, at `logPosition` of `logSize`.
        case included
        /// Not acknowledged by the server yet, so there is nothing to prove.
        case notYetOnServer = "not-yet-on-server"
        /// The proof is against a checkpoint this site cannot check.
        case unverified
        /// The proof does not lead to the signed root.
        case proofFails = "proof-fails"
        /// The server proved another entry.
        case wrongEntry = "wrong-entry"
        /// The log recorded another signature for this event.
        case signatureDiffers = "signature-differs"
        /// The server could not be asked (offline, or no server set): only the local checks ran.
        case notChecked = "not-checked"
    }

    /// The entry checked.
    public var event: EventID
    /// The kind of entry.
    public var type: EventType
    /// What the signature check found.
    public var signature: SignatureResult
    /// The signing key's fingerprint, when the signature is valid.
    public var signingKey: String?
    /// What the inclusion proof showed.
    public var inLog: LogResult
    /// The entry's position in the audit log, when proved included.
    public var logPosition: Int?
    /// The log's size at the checkpoint the proof is against.
    public var logSize: Int?
    /// What is wrong, one sentence each; empty when the entry checks out.
    public var problems: [String]
    /// The witnesses whose cosigned checkpoint holds the entry, when witnesses were asked for.
    public var witnessedBy: [String]?
    /// True when nothing is wrong.
    public var ok: Bool { problems.isEmpty }
}
