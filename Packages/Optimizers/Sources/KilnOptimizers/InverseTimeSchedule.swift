import KilnRegistry

/// `inverse-time(decay)`: lr = base / (1 + decay · epoch) (the course notes'
/// α = α₀ / (1 + decay_rate · epoch_num), epochs from 0). decay >= 0.
public final class InverseTimeSchedule: LearningRateSchedule {
    /// How fast the rate falls: lr = base / (1 + decay · epoch) (spec `decay`, at least 0).
    public let decay: Float
    /// A schedule with lr = base / (1 + decay · epoch).
    public init(decay: Float) {
        precondition(decay.isFinite && decay >= 0, "inverse-time: decay must be finite and >= 0")
        self.decay = decay
    }
    public func learningRate(epoch: Int, base: Float) -> Float {
        Float(Double(base) / (1 + Double(decay) * Double(max(epoch, 0))))
    }
    public var description: String { "inverse-time(decay=\(Spec.format(decay)))" }
}
