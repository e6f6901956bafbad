import AccordCore
import AccordLog
import AccordSync
import Foundation

/// What a push does to the storage, decided once for every backend: which events are stored (with their positions),
/// acknowledged again or refused, how care teams grow, and what the audit log records. The storage fetches what the
/// plan needs for the whole batch (`PushPlan.Known`), then writes the plan's rows in the same transaction.
struct PushPlan {
    /// What the storage already holds that bears on this batch.
    struct Known {
        /// Stored events of this batch, by id, with their position.
        var storedSeqs: [String: Int64] = [:]
        /// The care team of each patient in the batch (empty when the patient is new to the server).
        var careTeams: [String: [String]] = [:]
        /// The enrolled, unrevoked sites among those the batch's shares name.
        var enrolledSites: Set<String> = []
        /// The registered keys among those the batch's signed events name.
        var keys: [String: KeyInfo] = [:]
        /// The site each of the batch's authors belongs to: the site that first registered a key for them.
        var authorSites: [String: String] = [:]
        /// The last position in the server-wide sequence.
        var lastSeq: Int64 = 0
    }

    /// One event to store: its position, the sites whose feed gets it, and, for a share, the site that joins.
    struct Stored {
        var event: Event
        var seq: Int64
        var feedSites: [String]
        var joiningSite: String?
    }

    var response = PushResponse(accepted: [], rejected: [])
    var stored: [Stored] = []
    /// New care-team members in order: (patient, site, the event that added it).
    var careTeamAdditions: [(patient: String, site: String, event: String)] = []
    var auditEntries: [AuditEntry] = []

    /// The ids, patients, shared sites and key fingerprints a batch names: what `Known` must be fetched for.
    static func lookups(_ checked: [PushCheck.Outcome]) -> (ids: [String], patients: [String], sharedSites: [String], fingerprints: [String],
                                                            authors: [String]) {
        var ids: [String] = [], patients = Set<String>(), sites = Set<String>(), fingerprints = Set<String>(), authors = Set<String>()
        for case .valid(let event) in checked {
            ids.append(event.id.hex)
            ids += event.envelope.parents.map(\.hex)
            patients.insert(event.envelope.patient)
            authors.insert(event.envelope.author.id)
            if case .patientShared(let share) = event.envelope.payload { sites.insert(share.site) }
            if let fingerprint = event.envelope.signing?.fingerprint { fingerprints.insert(fingerprint) }
        }
        return (ids, patients.sorted(), sites.sorted(), fingerprints.sorted(), authors.sorted())
    }

    init(_ checked: [PushCheck.Outcome], from site: String, known: Known, at: String, remoteAddress: String?) {
        var known = known
        for (index, outcome) in checked.enumerated() {
            switch outcome {
            case .refused(let rejection):
                refuse(rejection, patient: nil, site: site, at: at, remoteAddress: remoteAddress)
            case .valid(let event):
                let id = event.id.hex
                if let seq = known.storedSeqs[id] {
                    response.accepted.append(Acknowledgement(id: id, seq: seq, duplicate: true))
                    continue
                }
                let patient = event.envelope.patient
                if let refusal = Self.parentRefusal(event, line: index + 1, known: known)
                    ?? Self.authorRefusal(event, site: site, line: index + 1, known: known)
                    ?? Self.careTeamRefusal(event, site: site, line: index + 1, known: known)
                    ?? Self.keyRefusal(event, site: site, line: index + 1, keys: known.keys) {
                    refuse(refusal, patient: patient, site: site, at: at, remoteAddress: remoteAddress)
                    continue
                }
                var team = known.careTeams[patient] ?? []
                if team.isEmpty {
                    // The first site to send a patient starts the care team.
                    team = [site]
                    careTeamAdditions.append((patient, site, id))
                }
                var joining: String?
                if case .patientShared(let share) = event.envelope.payload, !team.contains(share.site) {
                    team.append(share.site)
                    careTeamAdditions.append((patient, share.site, id))
                    joining = share.site
                }
                known.careTeams[patient] = team
                known.lastSeq += 1
                known.storedSeqs[id] = known.lastSeq
                // The sending site's feed gets the event too, for the site's other stores (the sending store is skipped
                // when it pulls); a joining site gets it with the patient's earlier events.
                stored.append(Stored(event: event, seq: known.lastSeq, feedSites: team.filter { $0 != joining }, joiningSite: joining))
                let envelope = event.envelope
                auditEntries.append(AuditEntry(position: 0, kind: .eventAccepted, at: at, site: site, patient: patient, event: id,
                                               eventType: envelope.type.rawValue, signature: event.signature?.base64EncodedString(),
                                               key: envelope.signing?.fingerprint, actor: envelope.author.name,
                                               remoteAddress: remoteAddress, outcome: "ok"))
                response.accepted.append(Acknowledgement(id: id, seq: known.lastSeq, duplicate: false))
            }
        }
    }

    private mutating func refuse(_ rejection: Rejection, patient: String?, site: String, at: String, remoteAddress: String?) {
        response.rejected.append(rejection)
        auditEntries.append(AuditEntry(position: 0, kind: .eventRefused, at: at, site: site, patient: patient, event: rejection.id,
                                       remoteAddress: remoteAddress, outcome: rejection.code.rawValue, detail: "refused: \(rejection.reason)"))
    }

    /// Why `site` may not write this patient's record; nil when the patient is new or `site` is on the care team.
    static func careTeamRefusal(_ event: Event, site: String, line: Int, known: Known) -> Rejection? {
        let team = known.careTeams[event.envelope.patient] ?? []
        guard team.isEmpty || team.contains(site) else {
            return Rejection(id: event.id.hex, line: line, code: .notInCareTeam,
                             reason: "site '\(site)' is not in this patient's care team; a site that holds the record must share it first")
        }
        if case .patientShared(let share) = event.envelope.payload, !known.enrolledSites.contains(share.site) {
            return Rejection(id: event.id.hex, line: line, code: .unknownSite,
                             reason: "no enrolled site is named '\(share.site)'; check the name with the server's administrator")
        }
        return nil
    }

    /// Why an event may not be stored yet: a parent it builds on is neither stored nor earlier in this push.
    static func parentRefusal(_ event: Event, line: Int, known: Known) -> Rejection? {
        guard let missing = event.envelope.parents.first(where: { known.storedSeqs[$0.hex] == nil }) else { return nil }
        return Rejection(id: event.id.hex, line: line, code: .unknownParent,
                         reason: "it builds on entry \(missing.short), which the server does not hold; send that entry first (the site sends again at its next sync)")
    }

    /// Why an event may not name its author: the author is a clinician of another site (signed or not).
    static func authorRefusal(_ event: Event, site: String, line: Int, known: Known) -> Rejection? {
        guard let owner = known.authorSites[event.envelope.author.id], owner != site else { return nil }
        return Rejection(id: event.id.hex, line: line, code: .authorWrongSite,
                         reason: "the author \(event.envelope.author.name) is a clinician of site '\(owner)'; site '\(site)' cannot write as them")
    }

    /// Why a signed event's key is not accepted: it must be registered by the sending site for the event's author,
    /// and approved (not pending, not revoked). The signature itself was checked in `PushCheck`.
    static func keyRefusal(_ event: Event, site: String, line: Int, keys: [String: KeyInfo]) -> Rejection? {
        guard let signing = event.envelope.signing, let fingerprint = signing.fingerprint else { return nil }
        let id = event.id.hex
        guard let key = keys[fingerprint], key.site == site else {
            return Rejection(id: id, line: line, code: .keyUnknown,
                             reason: "the signing key \(fingerprint.prefix(16)) is not registered for site '\(site)'; `accord sync` registers it, then an administrator approves it")
        }
        guard key.clinicianId == event.envelope.author.id else {
            return Rejection(id: id, line: line, code: .keyMismatch,
                             reason: "the signing key \(fingerprint.prefix(16)) belongs to \(key.clinicianName), not to the event's author \(event.envelope.author.name)")
        }
        switch key.status {
        case .approved: return nil
        case .pending:
            return Rejection(id: id, line: line, code: .keyPending,
                             reason: "the signing key \(fingerprint.prefix(16)) of \(key.clinicianName) awaits approval: ask the administrator to run `accord-server key approve \(fingerprint.prefix(16))`, then sync again")
        case .revoked:
            return Rejection(id: id, line: line, code: .keyRevoked,
                             reason: "the signing key \(fingerprint.prefix(16)) of \(key.clinicianName) was revoked on \(key.decidedAt ?? "an earlier date"); the entry cannot be accepted under it")
        }
    }
}
