/// A checkpointed early-stopping state that does not fit. Prints as one line.
public struct EarlyStoppingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in one line.
    public var message: String
    /// An error with the given message.
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
