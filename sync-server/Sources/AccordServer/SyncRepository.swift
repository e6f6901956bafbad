import AccordCore
import AccordSync
import Foundation

/// The server's storage: one protocol, so the embedded SQLite default and a shared database can both serve it.
public protocol SyncRepository: Sendable {
    /// The enrolled, unrevoked site whose credential hashes to `credentialSHA256`, if any.
    func site(credentialSHA256: String) async throws -> String?
    /// Stores a push from `site` whose lines `PushCheck` has checked: each event accepted, acknowledged again, or
    /// refused with the reason.
    func push(_ checked: [PushCheck.Outcome], from site: String, now: Int64) async throws -> PushResponse
    /// Up to `limit` event bodies from `site`'s feed after `cursor`, the new cursor, and whether more wait.
    func pull(site: String, after cursor: Int64, limit: Int) async throws -> PullPage
    /// Every stored event of `patient`, in server order, if `site` is on the patient's care team; nil when the
    /// patient is unknown or not shared with `site` (the two are not told apart, so nothing leaks).
    func patientEvents(_ patient: String, site: String) async throws -> [Data]?
    /// Appends a read of a patient's record to the access log.
    func recordAccess(_ entry: AccessEntry) async throws
    /// The access log of one patient, oldest first.
    func accessLog(patient: String) async throws -> [AccessEntry]
}

/// One read of a patient's record: who (site), what (action), when, from where, and the outcome.
public struct AccessEntry: Codable, Sendable, Equatable {
    public var at: String
    public var site: String
    public var patient: String
    public var action: String
    public var outcome: String
    public var remoteAddress: String?

    public init(at: String, site: String, patient: String, action: String, outcome: String, remoteAddress: String?) {
        self.at = at; self.site = site; self.patient = patient; self.action = action; self.outcome = outcome
        self.remoteAddress = remoteAddress
    }
}

public struct PullPage: Sendable {
    public var bodies: [Data]
    public var cursor: Int64
    public var more: Bool
}

/// Enrolling and revoking sites, from the administrative commands.
public protocol SiteAdministration: Sendable {
    /// Enrolls `name` and returns its credential, shown once; the server keeps only its hash.
    func addSite(_ name: String, now: Int64) throws -> String
    func revokeSite(_ name: String, now: Int64) throws
    func sites() throws -> [SiteInfo]
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
