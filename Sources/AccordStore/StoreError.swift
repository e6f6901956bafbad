/// Why the store could not do what was asked. Each message says what is wrong and what to do; none leaks SQL.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure, open to new cases without breaking callers that switch on `code`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// The code as written in logs.
        public var description: String { name }
        /// No store exists where one was asked for.
        public static let notInitialized = Code(name: "not-initialized")
        /// A store exists where a new one was to be made.
        public static let alreadyInitialized = Code(name: "already-initialized")
        /// The file is damaged; restore it from a backup.
        public static let damaged = Code(name: "damaged")
        /// Another program holds the database locked.
        public static let busy = Code(name: "busy")
        /// The file or folder cannot be written.
        public static let readOnly = Code(name: "read-only")
        /// A newer Accord wrote the store.
        public static let newerSchema = Code(name: "newer-schema")
        /// The disk is full; nothing was written.
        public static let diskFull = Code(name: "disk-full")
        /// No patient or event matches the reference.
        public static let notFound = Code(name: "not-found")
        /// More than one patient or event matches the reference.
        public static let ambiguous = Code(name: "ambiguous")
        /// The input breaks a rule.
        public static let invalid = Code(name: "invalid")
        /// The file system failed.
        public static let io = Code(name: "io")
    }

    /// What kind of failure this is.
    public let code: Code
    /// What is wrong and what to do, with no SQL in it.
    public let message: String

    /// An error of `code` with `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
