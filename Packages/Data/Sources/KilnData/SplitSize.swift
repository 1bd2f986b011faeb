/// The size of a split: a number of examples or a fraction of the dataset.
///
/// Integer and floating-point literals work: `dev: 5000` or `dev: 0.1`.
/// A fraction `f` of `n` examples is `(f * n).rounded()` examples (ties away from zero).
public enum SplitSize: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, CustomStringConvertible {
    /// A number of examples.
    case count(Int)
    /// A fraction of the dataset, in [0, 1].
    case fraction(Double)

    public init(integerLiteral value: Int) { self = .count(value) }
    public init(floatLiteral value: Double) { self = .fraction(value) }

    /// The number of examples out of `total`; throws for a negative count or a fraction
    /// outside [0, 1].
    public func resolved(total: Int, role: String) throws -> Int {
        switch self {
        case .count(let k):
            guard k >= 0 else { throw DataError(.invalidArgument, "split: the \(role) size \(k) is negative") }
            return k
        case .fraction(let f):
            guard f.isFinite, f >= 0, f <= 1 else {
                throw DataError(.invalidArgument, "split: the \(role) fraction \(f) is not in [0, 1]")
            }
            return Int((f * Double(total)).rounded())
        }
    }

    public var description: String {
        switch self {
        case .count(let k): return "\(k)"
        case .fraction(let f): return "\(f)"
        }
    }
}
