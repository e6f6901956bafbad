import AccordCore
import AccordLog
import Crypto
import Foundation

/// Who may see what, as the audit log says it should be: the sites and auditors with their credentials, the
/// clinicians' keys with their site and status, each patient's care team, and so what each site's feed must hold.
/// `audit verify` rebuilds it entry by entry and compares it with the tables, so a row added, changed or removed
/// behind the server's back is reported with its table and key.
struct AccessState {
    struct Holder: Equatable { var credentialSHA256: String?; var revoked: Bool; var position: Int }
    struct Key { var site: String?; var clinicianID: String?; var status: String; var position: Int }
    /// The events of a patient's record as the log has them: how many, and an order-free digest of their ids.
    struct Digest: Equatable {
        var count = 0
        var sum: UInt64 = 0
        mutating func add(_ id: String) { count += 1; sum &+= UInt64(id.prefix(16), radix: 16) ?? 0 }
    }

    private(set) var sites: [String: Holder] = [:]
    private(set) var auditors: [String: Holder] = [:]
    private(set) var keys: [String: Key] = [:]
    /// Each patient's care team in the order sites joined, with the log position that added each.
    private(set) var careTeams: [String: [(site: String, position: Int)]] = [:]
    private(set) var patientEvents: [String: Digest] = [:]

    /// Reads one entry of the log; `body` is the event's bytes for an accepted `patient.shared`.
    mutating func apply(_ fields: FlatJSONFields, position: Int, body: Data?) {
        let kind = fields.strings["kind"].flatMap(AuditEntry.Kind.init(rawValue:))
        let site = fields.strings["site"], detail = fields.strings["detail"]
        switch kind {
        case .siteEnrolled?:
            if let site { sites[site] = Holder(credentialSHA256: Self.credentialHash(in: detail), revoked: false, position: position) }
        case .siteRevoked?:
            if let site { sites[site]?.revoked = true; sites[site]?.position = position }
        case .auditorAdded?:
            if let name = detail?.split(separator: ";").first.map(String.init) {
                auditors[name] = Holder(credentialSHA256: Self.credentialHash(in: detail), revoked: false, position: position)
            }
        case .auditorRevoked?:
            if let name = detail?.split(separator: ";").first.map(String.init) { auditors[name]?.revoked = true; auditors[name]?.position = position }
        case .keyRegistered?:
            if let key = fields.strings["key"] {
                let clinician = detail.flatMap { $0.hasPrefix("clinician ") ? String($0.dropFirst(10).prefix(36)) : nil }
                keys[key] = Key(site: site, clinicianID: clinician, status: "pending", position: position)
            }
        case .keyApproved?: if let key = fields.strings["key"] { keys[key]?.status = "approved"; keys[key]?.position = position }
        case .keyRevoked?: if let key = fields.strings["key"] { keys[key]?.status = "revoked"; keys[key]?.position = position }
        case .keyRejected?: if let key = fields.strings["key"] { keys[key] = nil }
        case .eventAccepted?:
            guard let patient = fields.strings["patient"], let event = fields.strings["event"], let site else { return }
            patientEvents[patient, default: Digest()].add(event)
            if careTeams[patient] == nil { careTeams[patient] = [(site, position)] }
            if fields.strings["eventType"] == EventType.patientShared.rawValue, let body,
               let shared = try? Event(bytes: body, signature: nil), case .patientShared(let share) = shared.envelope.payload,
               careTeams[patient]?.contains(where: { $0.site == share.site }) == false {
                careTeams[patient]?.append((share.site, position))
            }
        default:
            break
        }
    }

    /// "credential sha256 <hex>" in an entry's detail, where enrolments since it was recorded carry it.
    static func credentialHash(in detail: String?) -> String? {
        guard let range = detail?.range(of: "credential sha256 ") else { return nil }
        return String(detail![range.upperBound...].prefix(64))
    }

    /// What each site's feed must hold for each patient: every event of the patients whose care team it is on.
    var expectedFeeds: [FeedKey: Digest] {
        var feeds: [FeedKey: Digest] = [:]
        for (patient, team) in careTeams {
            for member in team { feeds[FeedKey(site: member.site, patient: patient)] = patientEvents[patient] ?? Digest() }
        }
        return feeds
    }
}

/// One site's feed rows for one patient.
struct FeedKey: Hashable, Comparable {
    var site: String
    var patient: String
    static func < (a: FeedKey, b: FeedKey) -> Bool { (a.site, a.patient) < (b.site, b.patient) }
}

/// The tables that say who may see what, as the storage holds them, for `audit verify` to compare with the log.
public struct AccessTables: Sendable {
    public struct Holder: Sendable { public var name: String; public var credentialSHA256: String; public var revoked: Bool
        public init(name: String, credentialSHA256: String, revoked: Bool) { self.name = name; self.credentialSHA256 = credentialSHA256; self.revoked = revoked } }
    public struct Key: Sendable { public var fingerprint: String; public var publicKey: Data; public var site: String; public var clinicianID: String; public var status: String
        public init(fingerprint: String, publicKey: Data, site: String, clinicianID: String, status: String) {
            self.fingerprint = fingerprint; self.publicKey = publicKey; self.site = site; self.clinicianID = clinicianID; self.status = status } }

    public var sites: [Holder] = []
    public var auditors: [Holder] = []
    public var keys: [Key] = []
    public var careTeam: [(patient: String, site: String)] = []
    var feeds: [FeedKey: AccessState.Digest] = [:]
    /// Events whose log position is lower than that of an event before them in the events table (seq swapped).
    public var outOfOrderEvents: [String] = []

    public init() {}

    /// Counts one feed row: `site` may pull `event` of `patient`.
    public mutating func addFeedRow(site: String, patient: String, event: String) {
        feeds[FeedKey(site: site, patient: patient), default: AccessState.Digest()].add(event)
    }
}

extension AccessState {
    /// Every difference between the tables and what the log says, each naming its table and key.
    func differences(from tables: AccessTables, logSize: Int) -> [AuditReport.Problem] {
        var problems: [AuditReport.Problem] = []
        func report(_ position: Int?, _ text: String) { problems.append(.init(position: position ?? logSize, problem: text, exact: position != nil)) }

        func compareHolders(_ table: String, _ rows: [AccessTables.Holder], _ logged: [String: Holder]) {
            var seen = Set<String>()
            for row in rows {
                seen.insert(row.name)
                guard let expected = logged[row.name] else {
                    report(nil, "\(table) row '\(row.name)' is not in the audit log (added behind the server's back)"); continue
                }
                if let hash = expected.credentialSHA256, hash != row.credentialSHA256 {
                    report(expected.position, "\(table) row '\(row.name)': its credential hash is not the one the log recorded (changed)")
                }
                if expected.revoked != row.revoked {
                    report(expected.position, "\(table) row '\(row.name)' is \(row.revoked ? "revoked" : "active") but the log says \(expected.revoked ? "revoked" : "active") (changed)")
                }
            }
            for (name, expected) in logged where !seen.contains(name) {
                report(expected.position, "\(table) row '\(name)' that the log records is missing (removed)")
            }
        }
        compareHolders("sites", tables.sites, sites)
        compareHolders("auditors", tables.auditors, auditors)

        var seenKeys = Set<String>()
        for row in tables.keys {
            seenKeys.insert(row.fingerprint)
            guard let expected = keys[row.fingerprint] else {
                report(nil, "clinician_keys row \(row.fingerprint.prefix(16)) is not in the audit log (added behind the server's back)"); continue
            }
            if Signing.fingerprint(ofPublicKey: row.publicKey) != row.fingerprint {
                report(expected.position, "clinician_keys row \(row.fingerprint.prefix(16)): its public key does not hash to its fingerprint (key replaced)")
            }
            if expected.status != row.status {
                report(expected.position, "clinician_keys row \(row.fingerprint.prefix(16)) is \(row.status) but the log says \(expected.status) (changed)")
            }
            if let site = expected.site, site != row.site {
                report(expected.position, "clinician_keys row \(row.fingerprint.prefix(16)) belongs to site '\(row.site)' but the log registered it for '\(site)' (changed)")
            }
            if let clinician = expected.clinicianID, clinician != row.clinicianID {
                report(expected.position, "clinician_keys row \(row.fingerprint.prefix(16)) names clinician \(row.clinicianID) but the log registered it for \(clinician) (changed)")
            }
        }
        for (fingerprint, expected) in keys where !seenKeys.contains(fingerprint) {
            report(expected.position, "clinician_keys row \(fingerprint.prefix(16)) that the log records is missing (removed)")
        }

        var loggedTeams = Set<FeedKey>()
        for (patient, team) in careTeams { for member in team { loggedTeams.insert(FeedKey(site: member.site, patient: patient)) } }
        let tableTeams = Set(tables.careTeam.map { FeedKey(site: $0.site, patient: $0.patient) })
        for extra in tableTeams.subtracting(loggedTeams).sorted() {
            report(nil, "care_team row (patient \(extra.patient.prefix(8)), site '\(extra.site)') is not explained by the log: that site was given the patient behind the server's back")
        }
        for missing in loggedTeams.subtracting(tableTeams).sorted() {
            report(careTeams[missing.patient]?.first { $0.site == missing.site }?.position,
                   "care_team row (patient \(missing.patient.prefix(8)), site '\(missing.site)') that the log records is missing (removed)")
        }

        let expected = expectedFeeds
        for key in Set(expected.keys).union(tables.feeds.keys).sorted() {
            let want = expected[key] ?? AccessState.Digest(), have = tables.feeds[key] ?? AccessState.Digest()
            guard want != have else { continue }
            if expected[key] == nil {
                report(nil, "feed rows of site '\(key.site)' for patient \(key.patient.prefix(8)) (\(have.count)) are not explained by the log: that site may not see the patient")
            } else {
                report(nil, "the feed of site '\(key.site)' for patient \(key.patient.prefix(8)) holds \(have.count) row(s) where the log gives \(want.count) event(s) (rows added, removed or changed)")
            }
        }
        for id in tables.outOfOrderEvents.prefix(20) {
            report(nil, "events row \(id.prefix(12)) is out of the log's order (its seq was changed or swapped)")
        }
        return problems
    }
}
