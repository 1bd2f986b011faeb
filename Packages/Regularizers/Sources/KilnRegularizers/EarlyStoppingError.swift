/// A checkpointed early-stopping state that does not fit. Prints as one line.
public struct EarlyStoppingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
