import AccordCore
import AccordStore
import AccordSyncClient
import Foundation

extension ClinicError.Code {
    /// The sync server could not be reached, refused the request, or failed its audit-log check.
    public static let sync = ClinicError.Code(name: "sync")
    /// A different sync server was given without confirming the change.
    public static let serverChange = ClinicError.Code(name: "server-change")
}

extension Clinic {
    /// Sets the sync server this store talks to and this site's credential (kept in the store). The same server
    /// spelled another way (case, a trailing slash, the default port) keeps the pinned audit log and the cursor; a
    /// different server resets them, and only with `newServer`, since this site then trusts a log it has never seen.
    public func connect(server: URL, credential: String, newServer: Bool = false) throws(ClinicError) {
        guard let address = Self.canonicalAddress(server) else {
            throw ClinicError(.invalid, "'\(server.absoluteString)' is not an http or https address.")
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
        do {
            return try await SyncClient(store: store).sync(progress: progress)
        } catch let error as SyncError {
            throw ClinicError(.sync, error.description, syncError: error)
        } catch let error as StoreError {
            throw ClinicError(error)
        } catch {
            throw ClinicError(.sync, "Sync failed: \(error)")
        }
    }
}
