import AccordCore
import AccordStore
import AccordSyncClient
import Foundation

extension ClinicError.Code {
    /// The sync server could not be reached, refused the request, or failed its audit-log check.
    public static let sync = ClinicError.Code(name: "sync")
}

extension Clinic {
    /// Sets the sync server this store talks to and this site's credential (kept in the store).
    public func connect(server: URL, credential: String) throws(ClinicError) {
        guard ["http", "https"].contains(server.scheme ?? ""), server.host != nil else {
            throw ClinicError(.invalid, "'\(server.absoluteString)' is not an http or https address.")
        }
        guard !credential.isEmpty, credential.count <= 256, !credential.contains(where: \.isWhitespace) else {
            throw ClinicError(.invalid, "The credential is empty or malformed; paste it exactly as the server's administrator gave it.")
        }
        try storing { () throws(StoreError) in try store.syncState.setRemote(url: server.absoluteString, credential: credential) }
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
