import KilnRegistry
import KilnTensor

/// `uniform(low=-0.05, high=0.05)`: w ~ U(low, high), mean (low+high)/2,
/// std (high−low)/√12.
///
/// Keras' `RandomUniform` defaults. Spec: `uniform(-0.1, 0.1)` (positional: low, high);
/// `low <= high` is required.
public struct RandomUniform: Initializer, Equatable {
    /// The lower bound (spec `low`, default −0.05).
    public var low: Float
    /// The upper bound (spec `high`, default 0.05).
    public var high: Float

    /// A uniform initializer on [low, high] (Keras' defaults ±0.05).
    ///
    /// - Precondition: finite bounds with `low <= high`.
    public init(low: Float = -0.05, high: Float = 0.05) {
        precondition(low.isFinite && high.isFinite && low <= high, "uniform: need finite low <= high, got \(low), \(high)")
        self.low = low
        self.high = high
    }

    public func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
        Tensor.uniform(shape, low: low, high: high, using: &rng)
    }

    public var description: String { "uniform(low=\(Spec.format(low)), high=\(Spec.format(high)))" }
}
