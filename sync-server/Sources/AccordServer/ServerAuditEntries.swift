import AccordCore
import AccordLog
import AccordSync
import Foundation

/// The audit entries every storage writes for the same actions, so both backends log the same words.
extension AuditEntry {
    static func stamp(_ now: Int64) -> String { Timestamp.iso8601(epochMilliseconds: now) }

    /// A pull that handed `count` of a patient's events to `site`.
    static func pulled(_ count: Int, of patient: String, by site: String, now: Int64, remoteAddress: String?) -> AuditEntry {
        AuditEntry(position: 0, kind: .recordRead, at: stamp(now), site: site, patient: patient, remoteAddress: remoteAddress,
                   outcome: "ok", detail: "pulled \(count) event(s)")
    }

    /// Who received which patients' records in one pull page, one entry per patient in id order.
    static func pulled(patients counts: [String: Int], by site: String, now: Int64, remoteAddress: String?) -> [AuditEntry] {
        counts.sorted { $0.key < $1.key }.map { pulled($0.value, of: $0.key, by: site, now: now, remoteAddress: remoteAddress) }
    }

    /// A read of a record by a site (an export) or an auditor (a view).
    init(_ read: RecordRead) {
        self.init(position: 0, kind: read.site == nil ? .auditViewed : .recordRead, at: Self.stamp(read.now), site: read.site,
                  patient: read.patient, actor: read.actor, remoteAddress: read.remoteAddress, outcome: read.outcome, detail: read.detail)
    }

    /// A site pinned the log anew: from the checkpoint it had verified to the one the server serves now.
    static func repinned(_ notice: RepinNotice, site: String, now: Int64, remoteAddress: String?) -> AuditEntry {
        let from = notice.from.map { "size \($0.size), root \($0.root.prefix(16)), signed \($0.at)" } ?? "no checkpoint"
        return AuditEntry(position: 0, kind: .logRepinned, at: stamp(now), site: site, actor: notice.clinician, remoteAddress: remoteAddress,
                          outcome: "ok", detail: "store \(notice.store) re-pinned the log from \(from) to size \(notice.to.size), root \(notice.to.root.prefix(16)), signed \(notice.to.at)")
    }

    /// Requests refused for their credential in one window, counted: the route family and the credential's first
    /// characters, never a path or a whole credential.
    static func refusedCredentials(count: Int, route: String, prefix: String, address: String, from: Int64, seconds: Int) -> AuditEntry {
        AuditEntry(position: 0, kind: .credentialRefused, at: stamp(from), remoteAddress: address, outcome: "unauthorized",
                   detail: "\(count) request(s) to \(route) refused in the \(seconds) s from \(stamp(from)), credential starting '\(prefix)'")
    }

    /// A key registered for a clinician, which binds the clinician to the site when it is their first.
    static func keyRegistered(_ fingerprint: String, site: String, clinician: String, clinicianID: String, now: Int64, remoteAddress: String?) -> AuditEntry {
        AuditEntry(position: 0, kind: .keyRegistered, at: stamp(now), site: site, key: fingerprint, actor: clinician,
                   remoteAddress: remoteAddress, outcome: "pending", detail: "clinician \(clinicianID) of site \(site)")
    }

    /// An administrator's change (sites, keys, auditors), made from the command line.
    static func administration(_ kind: Kind, now: Int64, site: String? = nil, key: String? = nil, detail: String? = nil) -> AuditEntry {
        AuditEntry(position: 0, kind: kind, at: stamp(now), site: site, key: key, actor: "admin", outcome: "ok", detail: detail)
    }
}

/// An access-log line from a stored entry about `patient`.
extension AccessEntry {
    init(_ entry: AuditEntry, patient: String) {
        let write = entry.kind == .eventAccepted || entry.kind == .eventRefused
        self.init(position: entry.position, at: entry.at, site: entry.site, actor: entry.actor, patient: patient,
                  action: write ? "write" : "read", detail: entry.eventType ?? entry.detail, outcome: entry.outcome ?? "ok",
                  remoteAddress: entry.remoteAddress)
    }
}
