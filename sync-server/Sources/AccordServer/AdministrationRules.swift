import AccordCore
import AccordSync
import Crypto
import Foundation

/// The checks and messages of the administrative commands, the same on every storage.
enum AdministrationRules {
    static func checkSiteName(_ name: String) throws {
        guard Identifiers.isValidSiteName(name) else { throw ServerError("Site name '\(name)' is not valid: \(Identifiers.siteNameRule).") }
    }

    static func checkAuditorName(_ name: String) throws {
        guard Identifiers.isValidSiteName(name) else { throw ServerError("Auditor name '\(name)' is not valid: \(Identifiers.siteNameRule).") }
    }

    static func siteExists(_ name: String) -> ServerError {
        ServerError("Site '\(name)' is already enrolled; revoke it first to issue a new credential under another name.")
    }

    static func noSuchSite(_ name: String) -> ServerError {
        ServerError("No enrolled, unrevoked site is named '\(name)'; `accord-server site list` shows them.")
    }

    static func auditorExists(_ name: String) -> ServerError {
        ServerError("Auditor '\(name)' already exists; revoke it first, or choose another name.")
    }

    static func noSuchAuditor(_ name: String) -> ServerError { ServerError("No auditor named '\(name)' is active.") }

    /// A registration's raw public key and fingerprint, once its fields check out.
    static func checkRegistration(_ registration: KeyRegistration) throws -> (raw: Data, fingerprint: String) {
        guard let raw = Data(base64Encoded: registration.publicKey), raw.count == 32,
              (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else {
            throw ServerError("publicKey must be a raw Ed25519 public key (32 bytes), base64.")
        }
        guard Identifiers.isValid(registration.clinicianId) else { throw ServerError("clinicianId must be a lowercase UUID.") }
        guard !registration.clinicianName.isEmpty, registration.clinicianName.count <= 200 else { throw ServerError("clinicianName must be 1 to 200 characters.") }
        return (raw, Signing.fingerprint(ofPublicKey: raw))
    }

    /// A key already registered may be registered again only by the same site for the same clinician.
    static func checkReregistration(_ existing: KeyInfo, _ registration: KeyRegistration, site: String) throws {
        guard existing.site == site, existing.clinicianId == registration.clinicianId else {
            throw ServerError("This key (\(existing.fingerprint.prefix(16))) is already registered, \(existing.status.rawValue), for site '\(existing.site)' and clinician \(existing.clinicianName); a key is registered once. "
                              + (existing.status == .pending ? "If that was a mistake, the server's administrator runs `accord-server key reject \(existing.fingerprint.prefix(16))` and this site syncs again."
                                                             : "The administrator revokes it (`accord-server key revoke \(existing.fingerprint.prefix(16))`) and the clinician makes a new key with `accord key rotate`."))
        }
    }

    /// A clinician id belongs to the site that first registered a key for it: no other site may register one.
    static func checkClinicianSite(_ registration: KeyRegistration, site: String, registeredKeys: [KeyInfo]) throws {
        if let other = registeredKeys.first(where: { $0.clinicianId == registration.clinicianId && $0.site != site }) {
            throw ServerError("Clinician \(registration.clinicianId) belongs to site '\(other.site)'; a key for them can only be registered by that site."
                              + (registeredKeys.allSatisfy { $0.status == .pending } ? " If their registration there was a mistake, the administrator runs `accord-server key reject \(other.fingerprint.prefix(16))`." : ""))
        }
    }

    /// The one key a fingerprint prefix (8 or more hex digits) names, among the (at most two) keys found with it.
    static func uniqueKey(_ reference: String, matches: [KeyInfo]) throws -> KeyInfo {
        guard reference.count >= 8, matches.count == 1, let key = matches.first else {
            throw ServerError(matches.count > 1 ? "'\(reference)' matches more than one key; give more of the fingerprint."
                                                : "No key has the fingerprint '\(reference)' (8 or more hex digits); `accord-server key list` shows them.")
        }
        return key
    }

    /// The one key a fingerprint prefix names, and whether its registration may be withdrawn (pending only).
    static func rejectableKey(_ reference: String, matches: [KeyInfo]) throws -> KeyInfo {
        let key = try uniqueKey(reference, matches: matches)
        guard key.status == .pending else {
            throw ServerError("Key \(key.fingerprint.prefix(16)) is \(key.status.rawValue); only a pending registration can be withdrawn. To replace an approved key, revoke it and have the clinician run `accord key rotate`.")
        }
        return key
    }

    /// The one key a fingerprint prefix names, among the (at most two) keys found with that prefix, and whether it
    /// may move to `status`.
    static func decidableKey(_ reference: String, matches: [KeyInfo], to status: KeyInfo.Status) throws -> KeyInfo {
        let key = try uniqueKey(reference, matches: matches)
        guard key.status != .revoked else { throw ServerError("Key \(key.fingerprint.prefix(16)) is revoked; a revoked key is never approved again. The clinician makes a new one.") }
        guard key.status != status else { throw ServerError("Key \(key.fingerprint.prefix(16)) is already \(status.rawValue).") }
        return key
    }
}
