import AccordCore
import AccordLog
import Foundation

/// A treatment agreement as an auditor sees it: every version, who signed it, how, and the proof it is in the log.
public struct AgreementAudit: Codable, Sendable {
    public var patient: String
    public var patientName: String
    public var agreement: String
    public var site: String
    /// active, expired or ended, as of the day of the query.
    public var status: String
    public var effectiveOn: String
    public var renewOn: String
    public var endReason: String?
    public var versions: [VersionAudit]
}

public struct VersionAudit: Codable, Sendable {
    public var change: String
    public var event: String
    public var clauses: [String]
    public var reason: String?
    public var recordedAt: String
    public var site: String
    public var signer: String
    public var clinicianId: String
    /// author, witness or patient-acknowledgement; nil when unsigned.
    public var meaning: String?
    /// How the patient agreed: in-person, verbal or paper.
    public var patientAgreed: String?
    public var keyFingerprint: String?
    /// The key's status now: pending, approved or revoked; nil when the key was never registered.
    public var keyStatus: String?
    /// valid, or what is wrong with the signature.
    public var signature: String
    public var logPosition: Int?
    public var inclusionProof: InclusionProof?
    /// Whether the inclusion proof verifies against the latest signed checkpoint.
    public var inclusionVerified: Bool
}

public struct AgreementFilter: Sendable {
    public var patient: String?
    public var site: String?
    public var status: String?
    public init(patient: String? = nil, site: String? = nil, status: String? = nil) {
        self.patient = patient; self.site = site; self.status = status
    }

    /// Whether the patient filter (an id or an id prefix) lets `patient` through.
    func includes(patient: String) -> Bool {
        self.patient.map { patient == $0 || patient.hasPrefix($0.lowercased()) } ?? true
    }

    func matches(_ audit: AgreementAudit) -> Bool {
        (site.map { audit.site == $0 } ?? true) && (status.map { audit.status == $0 } ?? true)
    }
}

enum AgreementAuditBuilder {
    /// Builds the audit of every agreement in `events` (one patient's), given the key registry, log positions and
    /// the proofs at `checkpoint`.
    /// Whether a version is one the patient agreed to (signed, amended, renewed); an ending or a conflict's
    /// resolution records no agreement of the patient's.
    static func recordsAgreement(_ change: String) -> Bool { ["signed", "amended", "renewed"].contains(change) }

    static func build(events: [Event], on date: LocalDate, keys: [String: KeyStatusLookup], position: (String) throws -> Int?,
                      proof: (Int) throws -> InclusionProof?, checkpoint: Checkpoint?) rethrows -> [AgreementAudit] {
        guard let record = Projection.fold(events)?.evaluated(on: date) else { return [] }
        let byID = Dictionary(events.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return try record.agreements.map { agreement in
            let versions = try agreement.versions.map { version -> VersionAudit in
                let event = byID[version.stamp.event]
                let signing = event?.envelope.signing
                let status: String = switch event?.signatureStatus {
                case .valid?: "valid"
                case .invalid(let reason)?: "invalid: \(reason)"
                case .unsigned(let reason)?: "unsigned: \(reason)"
                case .notRequired?, nil: "not signed"
                }
                let position = try position(version.stamp.event.hex)
                let inclusion = try position.flatMap(proof)
                let verified = inclusion.map { proof in checkpoint.map { proof.verifies(against: $0) } ?? false } ?? false
                let fingerprint = signing?.fingerprint
                return VersionAudit(change: version.change, event: version.stamp.event.hex,
                                    clauses: version.clauses.map { AgreementClause.named($0)?.text ?? $0 }, reason: version.reason,
                                    recordedAt: version.stamp.at, site: version.stamp.site, signer: version.stamp.by,
                                    clinicianId: version.stamp.clinician, meaning: signing?.meaning.rawValue,
                                    patientAgreed: signing?.patientAgreed?.rawValue ?? (Self.recordsAgreement(version.change) ? version.method.rawValue : nil),
                                    keyFingerprint: fingerprint, keyStatus: fingerprint.flatMap { keys[$0]?.status },
                                    signature: status, logPosition: position, inclusionProof: inclusion, inclusionVerified: verified)
            }
            return AgreementAudit(patient: record.id, patientName: record.name, agreement: agreement.id,
                                  site: agreement.versions.first?.stamp.site ?? record.registered.site, status: agreement.status.rawValue,
                                  effectiveOn: agreement.effectiveOn.description, renewOn: agreement.renewOn.description,
                                  endReason: agreement.endReason, versions: versions)
        }
    }
}

struct KeyStatusLookup {
    var status: String
}
