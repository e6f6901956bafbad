/// A rule an event or an input broke, in one sentence that says what is wrong and what to do.
public struct RuleViolation: Error, Sendable, Equatable, CustomStringConvertible {
    /// What rule was broken, in a sentence.
    public let message: String
    /// A violation with `message`.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}
