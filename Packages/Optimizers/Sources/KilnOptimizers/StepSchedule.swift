import Foundation
import KilnRegistry

/// `step(every, factor=0.1)`: lr = base · factor^⌊epoch / every⌋ (the notes' discrete
/// decay; torch's StepLR). every >= 1, factor in (0, 1].
public final class StepSchedule: LearningRateSchedule {
    /// The number of epochs between reductions (spec `every`, at least 1).
    public let every: Int
    /// The factor applied at each reduction (spec `factor`, default 0.1).
    public let factor: Float
    /// A schedule with lr = base · factor^⌊epoch / every⌋.
    public init(every: Int, factor: Float = 0.1) {
        precondition(every >= 1, "step: every must be >= 1")
        precondition(factor.isFinite && factor > 0 && factor <= 1, "step: factor must be in (0, 1]")
        self.every = every
        self.factor = factor
    }
    public func learningRate(epoch: Int, base: Float) -> Float {
        Float(Double(base) * pow(Double(factor), Double(max(epoch, 0) / every)))
    }
    public var description: String { "step(every=\(every), factor=\(Spec.format(factor)))" }
}
