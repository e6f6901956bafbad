/// A rule an event or an input broke, in one sentence that says what is wrong and what to do.
public struct RuleViolation: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
