/// A bad argument to a KilnInit function that is not a registry spec (for example an
/// unknown activation name given to ``gain(for:slope:)``). Prints as one line.
public struct InitializerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in one line.
    public var message: String

    /// An error with the given message.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
