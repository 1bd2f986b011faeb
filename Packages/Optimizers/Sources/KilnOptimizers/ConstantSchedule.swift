/// `constant`: lr = base at every epoch.
public final class ConstantSchedule: LearningRateSchedule {
    /// The schedule that keeps the base learning rate.
    public init() {}
    public func learningRate(epoch: Int, base: Float) -> Float { base }
    public var description: String { "constant" }
}
