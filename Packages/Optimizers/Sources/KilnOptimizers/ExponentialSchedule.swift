import Foundation
import KilnRegistry

/// `exponential(rate)`: lr = base · rate^epoch (the course notes' 0.95^epoch · α₀, with
/// epochs counted from 0 so the first epoch trains at `base`). rate in (0, 1].
public final class ExponentialSchedule: LearningRateSchedule {
    /// The factor applied per epoch, in (0, 1] (spec `rate`).
    public let rate: Float
    /// A schedule with lr = base · rate^epoch.
    public init(rate: Float) {
        precondition(rate.isFinite && rate > 0 && rate <= 1, "exponential: rate must be in (0, 1]")
        self.rate = rate
    }
    public func learningRate(epoch: Int, base: Float) -> Float {
        Float(Double(base) * pow(Double(rate), Double(max(epoch, 0))))
    }
    public var description: String { "exponential(rate=\(Spec.format(rate)))" }
}
