/// Errors of configuring, training, saving and loading an ensemble. Each description is
/// one line that names what is wrong and, where it helps, what is valid.
public enum EnsembleError: Error, CustomStringConvertible, Sendable, Equatable {
    /// A bad ``Bagging`` or ``Parallelism`` value, a bad weight vector, members that do not fit together.
    case invalidConfiguration(String)
    /// Member `member` (0-based) failed to build or train.
    case memberFailed(member: Int, message: String)
    /// Saving or loading the ensemble directory at `path` failed.
    case persistence(path: String, message: String)

    public var description: String {
        switch self {
        case .invalidConfiguration(let message):
            return message
        case .memberFailed(let member, let message):
            return "ensemble member \(member + 1): \(message)"
        case .persistence(let path, let message):
            return "\(path): \(message)"
        }
    }
}
