import AccordStore
import Foundation

/// Where the site's sync credential lives. The CLI keeps it in the store (mode 0600); an app supplies one over its
/// Keychain. The sync client asks for it at each sync and never stores it itself.
public protocol SyncCredentialStore: Sendable {
    /// The credential for `server`, or nil when there is none.
    func credential(server: String) throws -> String?
}

/// The credential kept in the store beside the server's address (`accord remote add`).
public struct StoredSyncCredential: SyncCredentialStore {
    let store: EventStore

    /// The credential in `store`.
    public init(store: EventStore) { self.store = store }

    /// The stored credential, when the stored server is `server`.
    public func credential(server: String) throws -> String? {
        guard let remote = try store.syncState.remote(), remote.url == server, !remote.credential.isEmpty else { return nil }
        return remote.credential
    }
}
