import KilnRegistry

/// `sqrt(k)`: lr = base · k / √(epoch + 1).
///
/// The course notes write α = k/√(epoch_num) · α₀ with epoch_num counted from 1; with our
/// 0-based epochs that is √(epoch + 1), so the first epoch trains at k · base and there is
/// no division by zero. k > 0.
public final class SqrtSchedule: LearningRateSchedule {
    /// The multiplier of the first epoch's rate (spec `k`, greater than 0).
    public let k: Float
    /// A schedule with lr = base · k / √(epoch + 1).
    public init(k: Float) {
        precondition(k.isFinite && k > 0, "sqrt: k must be finite and > 0")
        self.k = k
    }
    public func learningRate(epoch: Int, base: Float) -> Float {
        Float(Double(base) * Double(k) / Double(max(epoch, 0) + 1).squareRoot())
    }
    public var description: String { "sqrt(k=\(Spec.format(k)))" }
}
