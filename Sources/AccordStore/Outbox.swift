import AccordCore
import Foundation
import GRDB

/// Events written at this site that the sync server has not acknowledged yet, oldest first.
enum Outbox {
    static func add(_ event: Event, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO outbox (seq) SELECT seq FROM events WHERE id = ? ON CONFLICT DO NOTHING")
            .execute(arguments: [event.id.bytes])
    }
}

/// The sync server this store talks to, and how far it has read the server's feed.
public struct SyncRemote: Sendable, Equatable {
    /// The server's address.
    public var url: String
    /// This site's credential, sent as a bearer token.
    public var credential: String
    /// How far this site has read the server's feed.
    public var cursor: Int64
    /// When the last page was stored, as an ISO 8601 UTC time.
    public var lastSyncAt: String?
}

/// An event the server refused, kept in the outbox for the clinician to act on.
public struct RefusedEvent: Sendable, Equatable {
    /// The refused event.
    public var event: EventID
    /// The server's refusal code.
    public var code: String
    /// The server's reason.
    public var reason: String

    /// A refusal of `event` with `code` and `reason`.
    public init(event: EventID, code: String, reason: String) {
        self.event = event
        self.code = code
        self.reason = reason
    }
}

/// The sync client's state in the store: the server it talks to, its credential, the feed cursor, the outbox and
/// the server's refusals, and the pinned audit-log key and checkpoint. Kept apart from the event log and the
/// patient directory; only a sync client needs it (`store.syncState`).
public struct SyncState: Sendable {
    let store: EventStore

    func write<T>(_ body: @escaping (Database) throws -> T) throws(StoreError) -> T { try store.write(body) }
    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T { try store.read(body) }
}

extension EventStore {
    /// This store's sync state, for the sync client.
    public var syncState: SyncState { SyncState(store: self) }
}

extension SyncState {
    /// Stores the server and credential (the store file is readable by its owner only).
    public func setRemote(url: String, credential: String) throws(StoreError) {
        try write { db in
            try db.execute(sql: """
                INSERT INTO sync_remote (singleton, url, credential, cursor) VALUES (1, ?, ?, 0)
                ON CONFLICT (singleton) DO UPDATE SET url = excluded.url, credential = excluded.credential,
                    cursor = CASE WHEN sync_remote.url = excluded.url THEN sync_remote.cursor ELSE 0 END,
                    server_key = CASE WHEN sync_remote.url = excluded.url THEN sync_remote.server_key ELSE NULL END,
                    checkpoint = CASE WHEN sync_remote.url = excluded.url THEN sync_remote.checkpoint ELSE NULL END,
                    key_status = NULL
                """, arguments: [url, credential])
        }
    }

    /// The server this store syncs with, or nil when none is set.
    public func remote() throws(StoreError) -> SyncRemote? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT url, credential, cursor, last_sync_at FROM sync_remote").map {
                SyncRemote(url: $0["url"], credential: $0["credential"], cursor: $0["cursor"], lastSyncAt: $0["last_sync_at"])
            }
        }
    }

    /// Up to `limit` unacknowledged events in the order they were written, leaving out those already refused: ids
    /// and stored bytes only, undecoded, since they were checked when written and pushing needs nothing more.
    public func outboxBytes(limit: Int, excluding: Set<EventID> = []) throws(StoreError) -> [(id: EventID, bytes: Data, signature: Data?)] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT e.id, e.body, e.signature FROM outbox o JOIN events e ON e.seq = o.seq
                WHERE o.refused_code IS NULL ORDER BY o.seq LIMIT ?
                """, arguments: [limit + excluding.count])
            return rows.compactMap { row -> (id: EventID, bytes: Data, signature: Data?)? in
                guard let id = EventID(bytes: row["id"]), !excluding.contains(id) else { return nil }
                return (id, row["body"], row["signature"])
            }.prefix(limit).map { $0 }
        }
    }

    /// How many events wait to be sent, refused ones included.
    public func outboxCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0 }
    }

    /// Removes acknowledged events from the outbox and marks refused ones with the server's reason.
    public func recordPushOutcome(acknowledged: [EventID], refused: [RefusedEvent]) throws(StoreError) {
        try write { db in
            let delete = try db.cachedStatement(sql: "DELETE FROM outbox WHERE seq = (SELECT seq FROM events WHERE id = ?)")
            for id in acknowledged { try delete.execute(arguments: [id.bytes]) }
            for refusal in refused {
                try db.execute(sql: "UPDATE outbox SET refused_code = ?, refused_reason = ? WHERE seq = (SELECT seq FROM events WHERE id = ?)",
                               arguments: [refusal.code, refusal.reason, refusal.event.bytes])
            }
        }
    }

    /// Events the server refused, with its reasons.
    public func refusedEvents() throws(StoreError) -> [RefusedEvent] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT e.id, o.refused_code, o.refused_reason FROM outbox o JOIN events e ON e.seq = o.seq
                WHERE o.refused_code IS NOT NULL ORDER BY o.seq
                """).compactMap { row in
                EventID(bytes: row["id"]).map { RefusedEvent(event: $0, code: row["refused_code"], reason: row["refused_reason"]) }
            }
        }
    }

    /// Lets refused events be sent again (after the clinician or administrator fixed the cause).
    public func retryRefused() throws(StoreError) {
        try write { db in try db.execute(sql: "UPDATE outbox SET refused_code = NULL, refused_reason = NULL") }
    }

    /// Stores a page pulled from the server and the new cursor in one transaction: a crash loses or repeats nothing.
    @discardableResult
    public func importPulled(_ events: [Event], cursor: Int64) throws(StoreError) -> Int {
        try write { db in try self.insertPulled(events, cursor: cursor, db) }
    }

    /// The same, without holding the caller's thread while SQLite syncs the page to disk.
    @discardableResult
    public func importPulled(_ events: [Event], cursor: Int64) async throws(StoreError) -> Int {
        try await store.asyncWrite { db in try self.insertPulled(events, cursor: cursor, db) }
    }

    private func insertPulled(_ events: [Event], cursor: Int64, _ db: Database) throws -> Int {
        let inserted = try store.importRows(events, db)
        try db.execute(sql: "UPDATE sync_remote SET cursor = ?, last_sync_at = ? WHERE singleton = 1",
                       arguments: [cursor, Timestamp.iso8601(epochMilliseconds: store.clock.now())])
        return inserted
    }
}

extension SyncState {
    /// How many events were written at this site (by any of its stores): what a re-pin offers the server again.
    public func siteEventCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM events WHERE site = ?", arguments: [store.identity.site]) ?? 0 }
    }

    /// Accepts the server's log anew after a failed check: pins `serverKey` and `checkpoint`, reads the feed from
    /// the start again (events already here are kept once), asks for the key's status again, and puts every event
    /// written at this site back in the outbox. All in one transaction.
    public func repin(serverKey: String, checkpoint: String) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE sync_remote SET server_key = ?, checkpoint = ?, cursor = 0, key_status = NULL WHERE singleton = 1",
                           arguments: [serverKey, checkpoint])
            try db.execute(sql: "INSERT INTO outbox (seq) SELECT seq FROM events WHERE site = ? ORDER BY seq ON CONFLICT DO NOTHING",
                           arguments: [store.identity.site])
        }
    }

    /// The server's checkpoint signing key (pinned at the first sync) and the last checkpoint verified, as JSON.
    public func logState() throws(StoreError) -> (serverKey: String?, checkpoint: String?) {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT server_key, checkpoint FROM sync_remote") else { return (nil, nil) }
            return (row["server_key"], row["checkpoint"])
        }
    }

    /// Pins the server's checkpoint key and records the checkpoint verified last.
    public func setLogState(serverKey: String, checkpoint: String) throws(StoreError) {
        try write { db in
            try db.execute(sql: "UPDATE sync_remote SET server_key = ?, checkpoint = ? WHERE singleton = 1", arguments: [serverKey, checkpoint])
        }
    }

    /// This clinician's key status as the server last reported it.
    public func keyStatus() throws(StoreError) -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT key_status FROM sync_remote") }
    }

    /// Records where the clinician's key stands at the server (pending, approved, revoked).
    public func setKeyStatus(_ status: String?) throws(StoreError) {
        try write { db in try db.execute(sql: "UPDATE sync_remote SET key_status = ? WHERE singleton = 1", arguments: [status]) }
    }

    /// Lets events refused with one of `codes` be sent again (a key that was pending may have been approved).
    public func retryRefused(codes: [String]) throws(StoreError) {
        try write { db in
            for code in codes {
                try db.execute(sql: "UPDATE outbox SET refused_code = NULL, refused_reason = NULL WHERE refused_code = ?", arguments: [code])
            }
        }
    }

    /// Whether the server has acknowledged `event` (it is no longer in the outbox).
    public func isAcknowledged(_ event: EventID) throws(StoreError) -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM outbox o JOIN events e ON e.seq = o.seq WHERE e.id = ?", arguments: [event.bytes]) != true
        }
    }
}
