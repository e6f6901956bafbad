import AccordCore
import AccordStore
import AccordSyncClient

/// Why the clinic could not record or read what was asked: a code a client can act on, and a message that says
/// what is wrong. Messages name no command; a client adds its own hint for the code.
public struct ClinicError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure, open to new cases without breaking callers that switch on `code`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// The code as written in logs and `--json` output.
        public var description: String { name }
        /// No patient, goal, agreement, taper plan or entry matches the reference.
        public static let notFound = Code(name: "not-found")
        /// More than one matches; give more of the id.
        public static let ambiguous = Code(name: "ambiguous")
        /// It exists already (an MRN, an open agreement or taper, a share).
        public static let alreadyExists = Code(name: "already-exists")
        /// The record's state does not allow it (an ended agreement, a completed taper, a taper not paused).
        public static let notAllowed = Code(name: "not-allowed")
        /// The input breaks a rule (a date, a text, an unreadable medication line).
        public static let invalid = Code(name: "invalid")
        /// A dose outside plausible limits that the clinician has not confirmed.
        public static let unusualDose = Code(name: "unusual-dose")
        /// A taper faster than the guide, with no reason given.
        public static let fasterThanGuide = Code(name: "faster-than-guide")
        /// The part of the record was changed at two places at once; a clinician resolves the conflict first.
        public static let inConflict = Code(name: "in-conflict")
        /// A patient with the same name and birth date is registered already; confirm before registering another.
        public static let likelyDuplicate = Code(name: "likely-duplicate")
        /// The store could not be read or written.
        public static let storage = Code(name: "storage")
    }

    /// What kind of failure this is.
    public let code: Code
    /// What is wrong, in a sentence for the clinician.
    public let message: String
    /// The store's own error, when the store failed.
    public let storeError: StoreError?
    /// The sync client's own error, when sync or verification failed.
    public let syncError: SyncError?

    /// An error of `code` with `message`, and the store's or the sync client's own error when one of them failed.
    public init(_ code: Code, _ message: String, storeError: StoreError? = nil, syncError: SyncError? = nil) {
        self.code = code
        self.message = message
        self.storeError = storeError
        self.syncError = syncError
    }

    /// The message.
    public var description: String { message }

    init(_ error: StoreError) {
        let code: Code = switch error.code {
        case .notFound: .notFound
        case .ambiguous: .ambiguous
        case .invalid: .invalid
        default: .storage
        }
        self.init(code, error.message, storeError: error)
    }

    init(_ violation: RuleViolation) { self.init(.invalid, violation.message) }
}

/// Runs store work and reports its failures as clinic errors.
func storing<T>(_ body: () throws(StoreError) -> T) throws(ClinicError) -> T {
    do { return try body() } catch { throw ClinicError(error) }
}

/// Runs a rule check and reports a violation as a clinic error.
func checking<T>(_ body: () throws(RuleViolation) -> T) throws(ClinicError) -> T {
    do { return try body() } catch { throw ClinicError(error) }
}
