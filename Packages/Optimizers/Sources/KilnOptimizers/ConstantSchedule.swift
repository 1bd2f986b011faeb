/// `constant`: lr = base at every epoch.
public final class ConstantSchedule: LearningRateSchedule {
    public init() {}
    public func learningRate(epoch: Int, base: Float) -> Float { base }
    public var description: String { "constant" }
}
