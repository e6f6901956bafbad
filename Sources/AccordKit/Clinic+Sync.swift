import AccordCore
import AccordStore
import AccordSyncClient
import Foundation

extension ClinicError.Code {
    /// The sync server could not be reached, refused the request, or failed its audit-log check.
    public static let sync = ClinicError.Code(name: "sync")
    /// A different sync server was given without confirming the change.
    public static let serverChange = ClinicError.Code(name: "server-change")
    /// Plain http to another machine, without confirming that the network is trusted.
    public static let insecure = ClinicError.Code(name: "insecure")
}

extension Clinic {
    /// Sets the sync server this store talks to and this site's credential (kept in the store). The same server
    /// spelled another way (case, a trailing slash, the default port) keeps the pinned audit log and the cursor; a
    /// different server resets them, and only with `newServer`, since this site then trusts a log it has never seen.
    public func connect(server: URL, credential: String, newServer: Bool = false, allowInsecure: Bool = false) throws(ClinicError) {
        guard let address = Self.canonicalAddress(server) else {
            throw ClinicError(.invalid, "'\(server.absoluteString)' is not an http or https address.")
        }
        // The credential and patient records would cross the network in clear.
        if server.scheme?.lowercased() == "http", !Self.isLoopback(server.host ?? ""), !allowInsecure {
            throw ClinicError(.insecure, "Plain http to \(server.host ?? "that host") would send this site's credential and patients' records across the network unencrypted; use the server's https address.")
        }
        guard !credential.isEmpty, credential.count <= 256, !credential.contains(where: \.isWhitespace) else {
            throw ClinicError(.invalid, "The credential is empty or malformed; paste it exactly as the server's administrator gave it.")
        }
        let current = try storing { () throws(StoreError) in try store.syncState.remote() }
        let known = current.flatMap { URL(string: $0.url) }.flatMap(Self.canonicalAddress)
        if let known, known != address, !newServer {
            throw ClinicError(.serverChange, "This store syncs with \(known); switching to \(address) is a change of server: this site would trust a new audit log and read its feed from the start. Confirm it is intended.")
        }
        // The same server keeps the address as stored, so its pinned log and cursor stay.
        let stored = known == address ? current?.url ?? address : address
        try storing { () throws(StoreError) in try store.syncState.setRemote(url: stored, credential: credential) }
    }

    /// This machine: localhost, 127.0.0.0/8 or ::1.
    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// One spelling per server: lowercase scheme and host, no default port, no trailing slash; nil when not http(s).
    static func canonicalAddress(_ url: URL) -> String? {
        guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false),
              let scheme = parts.scheme?.lowercased(), ["http", "https"].contains(scheme), let host = parts.host, !host.isEmpty else { return nil }
        parts.scheme = scheme
        parts.host = host.lowercased()
        if (scheme == "http" && parts.port == 80) || (scheme == "https" && parts.port == 443) { parts.port = nil }
        while parts.path.hasSuffix("/") { parts.path.removeLast() }
        parts.query = nil
        parts.fragment = nil
        return parts.string
    }

    /// Sends this site's new events and fetches what the care team wrote elsewhere; `progress` hears of each batch.
    public func sync(progress: @escaping @Sendable (SyncProgress) -> Void = { _ in }) async throws(ClinicError) -> SyncReport {
        try await syncing { try await SyncClient(store: store).sync(progress: progress) }
    }

    /// What re-pinning the server's audit log would do, changing nothing: the checkpoint this site verified last,
    /// the one the server serves now, and how many of this site's events would be offered again.
    public func repinPlan() async throws(ClinicError) -> RepinPlan {
        try await syncing { try await SyncClient(store: store).repinPlan() }
    }

    /// Recovery after the server's log failed its check and the administrator explained why (a restore from
    /// backup): the server records the re-pin in its audit log, this store pins the served checkpoint, reads the
    /// feed again from the start, and a sync re-sends every event of this site the server no longer holds.
    public func repin(_ plan: RepinPlan) async throws(ClinicError) -> SyncReport {
        try await syncing {
            let client = SyncClient(store: store)
            try await client.repin(plan)
            return try await client.sync()
        }
    }

    private func syncing<T>(_ body: () async throws -> T) async throws(ClinicError) -> T {
        do {
            return try await body()
        } catch let error as SyncError {
            throw ClinicError(.sync, error.description, syncError: error)
        } catch let error as StoreError {
            throw ClinicError(error)
        } catch {
            throw ClinicError(.sync, "Sync failed: \(error)")
        }
    }
}

/// A signing key replaced: the fingerprints before and after.
public struct KeyRotation: Sendable, Equatable, Codable {
    /// The key replaced.
    public var old: String
    /// The new key, registered with the server at the next sync.
    public var new: String
}

extension Clinic {
    /// The clinician's key fingerprint and its status as the server last reported it (nil before a first sync).
    public func signingKey() throws(ClinicError) -> (fingerprint: String, status: String?) {
        try storing { () throws(StoreError) in (try store.keys.fingerprint(), try store.syncState.keyStatus()) }
    }

    /// Replaces the clinician's signing key (lost or exposed): the next sync registers the new key, pending until
    /// the administrator approves it; the administrator revokes the old one. Entries signed before keep their
    /// signatures, each naming its key.
    public func rotateSigningKey() throws(ClinicError) -> KeyRotation {
        try storing { () throws(StoreError) in
            let old = try store.keys.fingerprint()
            try store.keys.rotate()
            if try store.syncState.remote() != nil { try store.syncState.setKeyStatus(nil) }
            return KeyRotation(old: old, new: try store.keys.fingerprint())
        }
    }
}
