import AccordCore
import AccordLog
import AccordStore
import AccordSync
import Foundation

/// Where a re-pin starts from: the checkpoint this site verified last and the one the server serves now.
public struct RepinPlan: Sendable, Equatable {
    /// The checkpoint this site verified last, if any.
    public var pinned: Checkpoint?
    /// The server signing key this site pinned, if any.
    public var pinnedKey: String?
    /// The server's latest checkpoint, its signature checked against its own key.
    public var server: Checkpoint
    /// Whether the server's key is the one pinned (a different key means a different or rebuilt server).
    public var sameKey: Bool { pinnedKey == nil || pinnedKey == server.key }
    /// Events written at this site that will be offered to the server again.
    public var eventsToOffer: Int
}

extension SyncEngine {
    /// What a re-pin would do, changing nothing: the pinned and the served checkpoints, and how many of this
    /// site's events would be offered again.
    func repinPlan() async throws -> RepinPlan {
        let (_, base, credential) = try endpoint()
        let state = try store.syncState.logState()
        let pinned = Self.checkpoint(stored: state.checkpoint)
        let reply: SyncReply
        do { reply = try await exchange(request(base, SyncWire.checkpointPath, credential: credential)) } catch let error as SyncError where error.serverCode == .logEmpty {
            throw SyncError(.refused, "The server's audit log is empty: there is nothing to pin yet. Run `accord sync`.", serverCode: .logEmpty)
        }
        let answer = try? JSONDecoder().decode(CheckpointAnswer.self, from: reply.body)
        let checkpoint = try answer?.checkpoint ?? decode(Checkpoint.self, reply, "checkpoint")
        guard let key = Data(base64Encoded: checkpoint.key), checkpoint.verifies(with: key) else {
            throw SyncError(.badAnswer, "The server's checkpoint does not carry a valid signature; nothing was changed.")
        }
        return RepinPlan(pinned: pinned, pinnedKey: state.serverKey, server: checkpoint, eventsToOffer: try store.syncState.siteEventCount())
    }

    /// Pins `plan.server` anew: the server writes the notice to its audit log first, then, in one transaction, this
    /// store pins the new checkpoint and key, reads the feed from the start again and puts every event written at
    /// this site back in the outbox. The next sync re-sends what the server lost; it acknowledges the rest as held.
    func repin(_ plan: RepinPlan) async throws {
        let (_, base, credential) = try endpoint()
        var request = request(base, SyncWire.repinPath, credential: credential)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = try JSONEncoder().encode(RepinNotice(from: plan.pinned, to: plan.server, store: store.identity.storeID,
                                                                clinician: store.identity.clinicianName))
        _ = try await exchange(request)
        try store.syncState.repin(serverKey: plan.server.key, checkpoint: String(decoding: try JSONEncoder().encode(plan.server), as: UTF8.self))
    }

    /// The stored server, its address and this site's credential, or why there are none.
    func endpoint() throws -> (remote: SyncRemote, base: URL, credential: String) {
        guard let remote = try store.syncState.remote() else {
            throw SyncError(.noServer, "No sync server is set for this store.")
        }
        guard let base = URL(string: remote.url), base.scheme == "http" || base.scheme == "https" else {
            throw SyncError(.badServerAddress, "The stored server address '\(remote.url)' is not an http(s) URL; set it again.")
        }
        guard let credential = try credentials.credential(server: remote.url) else {
            throw SyncError(.unauthorized, "There is no credential for \(remote.url); ask the server's administrator for one and set it.")
        }
        return (remote, base, credential)
    }
}

extension SyncClient {
    /// What re-pinning the server's log would do, changing nothing.
    public func repinPlan() async throws -> RepinPlan { try await engine.repinPlan() }

    /// Pins the server's log anew after a failed check the administrator has explained (a restore from backup):
    /// audited at the server, then the cursor goes back to the start and this site's events are offered again.
    public func repin(_ plan: RepinPlan) async throws {
        if let running { _ = try? await running.value }
        try await engine.repin(plan)
    }
}
