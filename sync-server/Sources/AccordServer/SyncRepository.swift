import AccordCore
import AccordLog
import AccordSync
import Foundation

/// The server's storage: one protocol, so the embedded SQLite default and a shared database can both serve it.
/// Every change it makes is written to the audit log in the same transaction, and a checkpoint signed after it.
public protocol SyncRepository: Sendable {
    /// The enrolled, unrevoked site whose credential hashes to `credentialSHA256`, if any.
    func site(credentialSHA256: String) async throws -> String?
    /// The unrevoked auditor whose credential hashes to `credentialSHA256`, if any.
    func auditor(credentialSHA256: String) async throws -> String?
    /// Stores a push from `site` whose lines `PushCheck` has checked: each event accepted, acknowledged again, or
    /// refused with the reason (signed events also against the registered keys).
    func push(_ checked: [PushCheck.Outcome], from site: String, store: String?, now: Int64, remoteAddress: String?) async throws -> PushResponse
    /// Up to `limit` events from `site`'s feed after `cursor`, the new cursor, and whether more wait; the patients
    /// read are written to the audit log.
    func pull(site: String, store: String?, after cursor: Int64, limit: Int, now: Int64, remoteAddress: String?) async throws -> PullPage
    /// Every stored event of `patient`, in server order, if `site` is on the patient's care team; nil when the
    /// patient is unknown or not shared with `site` (the two are not told apart, so nothing leaks).
    func patientEvents(_ patient: String, site: String) async throws -> [(bytes: Data, signature: Data?)]?
    /// Every stored event of `patient`, in server order, for an auditor (whose every read is logged by the caller);
    /// nil when the server holds none.
    func patientEventsForAudit(_ patient: String) async throws -> [(bytes: Data, signature: Data?)]?
    /// The key that signs the log's checkpoints, as JSON for sites and as a C2SP note for everyone else.
    var signingKey: ServerSigningKey { get }
    /// `count` subtree hashes of `height` from `index` on, for C2SP tiles; nil unless the tree holds them all.
    func treeHashes(height: Int, from index: Int, count: Int) async throws -> [Data]?
    /// The log's entries at positions `position ..< position + count`; nil unless the log holds them all.
    func logEntries(from position: Int, count: Int) async throws -> [Data]?
    /// The witnesses that cosign the log, with the size each last cosigned.
    func witnesses() async throws -> [WitnessInfo]
    /// Registers a witness (audited).
    func addWitness(_ key: WitnessKey, url: String, now: Int64) async throws
    /// Keeps a witness's cosignature of the checkpoint of `size`, and that it cosigned up to it.
    func recordCosignature(witness: String, size: Int, line: String) async throws
    /// Notes the size a witness says it holds (its answer to a stale `old`).
    func setWitnessSize(_ witness: String, size: Int) async throws
    /// The cosignature lines kept for the checkpoint of `size`.
    func cosignatures(size: Int) async throws -> [String]
    /// The largest checkpoint size any witness cosigned; nil when none has.
    func latestCosignedSize() async throws -> Int?
    /// The stored checkpoint of `size`, as signed then.
    func checkpoint(size: Int) async throws -> Checkpoint?
    /// Writes a read of a patient's record (by a site or an auditor) to the audit log.
    func recordRead(_ read: RecordRead) async throws
    /// Writes a site's re-pinning of the log (after a restore from backup) to the audit log.
    func recordRepin(_ notice: RepinNotice, site: String, now: Int64, remoteAddress: String?) async throws
    /// Appends entries to the audit log (refused credentials come counted, as summaries).
    func record(_ entries: [AuditEntry], now: Int64) async throws
    /// Registers a clinician's public key for `site`, pending an administrator's approval; idempotent.
    func registerKey(_ registration: KeyRegistration, site: String, now: Int64, remoteAddress: String?) async throws -> KeyInfo
    func latestCheckpoint() async throws -> Checkpoint?
    /// The inclusion proof of an event's log entry at the latest checkpoint, if `site` may see the event.
    func inclusion(event: String, site: String) async throws -> (InclusionProof, Checkpoint)?
    func consistency(from old: Int, to new: Int) async throws -> ConsistencyProof
    /// Who read or wrote a patient's record, oldest first, from the audit log.
    func accessLog(patient: String) async throws -> [AccessEntry]
    /// Every treatment agreement with its history, signatures and inclusion proofs, as of `date`.
    func agreements(_ filter: AgreementFilter, on date: LocalDate) async throws -> [AgreementAudit]
}

/// A read of one patient's record, for the audit log.
/// A witness of the log, as `accord-server witness list` shows it.
public struct WitnessInfo: Codable, Sendable, Equatable {
    public var name: String
    public var key: String
    public var url: String
    public var cosignedSize: Int
    public init(name: String, key: String, url: String, cosignedSize: Int) {
        self.name = name; self.key = key; self.url = url; self.cosignedSize = cosignedSize
    }
}

public struct RecordRead: Sendable {
    public var site: String?
    public var actor: String?
    /// Nil for an auditor's view of a list that names no one patient.
    public var patient: String?
    public var outcome: String
    public var detail: String
    public var now: Int64
    public var remoteAddress: String?

    public init(site: String?, actor: String? = nil, patient: String?, outcome: String, detail: String, now: Int64, remoteAddress: String?) {
        self.site = site; self.actor = actor; self.patient = patient; self.outcome = outcome; self.detail = detail
        self.now = now; self.remoteAddress = remoteAddress
    }
}

public struct PullPage: Sendable {
    public var bodies: [(bytes: Data, signature: Data?)]
    public var cursor: Int64
    public var more: Bool
}

/// A pull page built from the site's feed rows in order: at most `limit` events and at most `maximumBytes` of lines
/// (one event at least), so a page of long notes stays a bounded answer; the rest follows from the new cursor.
struct PullPageBuilder {
    let limit: Int
    let maximumBytes: Int
    private(set) var bodies: [(bytes: Data, signature: Data?)] = []
    private(set) var cursor: Int64
    /// Events per patient on this page, for the log's record of who received what.
    private(set) var counts: [String: Int] = [:]
    private var bytes = 0
    private var full = false

    init(after cursor: Int64, limit: Int, maximumBytes: Int = SyncWire.maximumBodyBytes) {
        self.cursor = cursor
        self.limit = limit
        self.maximumBytes = maximumBytes
    }

    /// Passes over a feed row the asking store wrote itself: the cursor moves past it, nothing is sent.
    mutating func skip(seq: Int64) {
        if !full { cursor = seq }
    }

    /// Notes that the query returned every row it was asked for (`limit + 1`): when some were skipped, more may
    /// wait even though the page is not full.
    mutating func rowsRanOut(_ returned: Int) {
        if returned > limit && !full { full = true }
    }

    /// Adds the next feed row; false, with the row left for the next page, once the page is full.
    mutating func add(seq: Int64, body: Data, signature: Data?, patient: String) -> Bool {
        let line = SyncWire.pullLineLength(bytes: body, signature: signature)
        guard bodies.count < limit, bodies.isEmpty || bytes + line <= maximumBytes else {
            full = true
            return false
        }
        bodies.append((body, signature))
        cursor = seq
        counts[patient, default: 0] += 1
        bytes += line
        return true
    }

    var page: PullPage { PullPage(bodies: bodies, cursor: cursor, more: full) }
}

/// The administrative commands: sites, clinicians' keys and auditors. Each action goes to the audit log.
public protocol SiteAdministration: Sendable {
    /// Enrolls `name` and returns its credential, shown once; the server keeps only its hash.
    func addSite(_ name: String, now: Int64) async throws -> String
    func revokeSite(_ name: String, now: Int64) async throws
    func sites() async throws -> [SiteInfo]
    func keys() async throws -> [KeyInfo]
    func approveKey(_ fingerprint: String, now: Int64) async throws -> KeyInfo
    func revokeKey(_ fingerprint: String, now: Int64) async throws -> KeyInfo
    /// Withdraws a pending registration (never approved, so nothing was accepted under it): the clinician may then
    /// register a key again, at the right site. Approved or revoked keys stay in the registry for good.
    func rejectKey(_ fingerprint: String, now: Int64) async throws -> KeyInfo
    /// Adds an auditor and returns the credential, shown once.
    func addAuditor(_ name: String, now: Int64) async throws -> String
    func revokeAuditor(_ name: String, now: Int64) async throws
}

/// What `accord-server audit` asks of a storage: the whole log checked, and the latest checkpoint.
public protocol AuditQueries: Sendable {
    /// Rebuilds the audit log from the database and checks it (`accord-server audit verify`).
    func verifyAuditLog() async throws -> AuditReport
    func currentCheckpoint() async throws -> Checkpoint?
}

/// Everything the server and its commands need of a storage; `ServerStorage.open` picks the backend.
public protocol ServerRepository: SyncRepository, SiteAdministration, AuditQueries {
    /// Releases connections; the repository is not used afterwards.
    func close() async
}

public struct SiteInfo: Codable, Sendable, Equatable {
    public var site: String
    public var createdAt: String
    public var revokedAt: String?
}

/// A failure an administrator or a site can act on.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One read or write of a patient's record: who (site or auditor), what, when, from where, and the outcome.
public struct AccessEntry: Codable, Sendable, Equatable {
    public var position: Int
    public var at: String
    public var site: String?
    public var actor: String?
    public var patient: String
    /// `write` (an event stored or refused) or `read` (pulled, exported or viewed).
    public var action: String
    public var detail: String?
    public var outcome: String
    public var remoteAddress: String?
}
