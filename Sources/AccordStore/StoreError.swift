/// Why the store could not do what was asked. Each message says what is wrong and what to do; none leaks SQL.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kinds of failure, open to new cases without breaking callers that switch on `code`.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        public var description: String { name }
        public static let notInitialized = Code(name: "not-initialized")
        public static let alreadyInitialized = Code(name: "already-initialized")
        public static let damaged = Code(name: "damaged")
        public static let busy = Code(name: "busy")
        public static let readOnly = Code(name: "read-only")
        public static let newerSchema = Code(name: "newer-schema")
        public static let diskFull = Code(name: "disk-full")
        public static let notFound = Code(name: "not-found")
        public static let ambiguous = Code(name: "ambiguous")
        public static let invalid = Code(name: "invalid")
        public static let io = Code(name: "io")
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
