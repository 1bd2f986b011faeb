import KilnRegistry
import KilnTensor

/// `truncated-normal(mean=0, std=1)`: w ~ N(mean, std²) redrawn until |w − mean| <= 2·std.
///
/// The cut is at two standard deviations of the untruncated normal (TensorFlow/Keras'
/// `TruncatedNormal`; note that `torch.nn.init.trunc_normal_` cuts at absolute bounds
/// ±2 instead). Cutting the tails shrinks the spread: the draws have standard deviation
/// ``truncatedStdFactor`` · std ≈ 0.88·std. ``VarianceScaling`` corrects for this; this
/// initializer does not (it draws the distribution its spec names).
public struct TruncatedNormal: Initializer, Equatable {
    /// The mean (spec `mean`, default 0).
    public var mean: Float
    /// The standard deviation before truncation (spec `std`, default 1).
    public var std: Float

    /// The standard deviation of a standard normal truncated to [−2, 2]:
    /// √(1 − 2·2·φ(2) / (Φ(2) − Φ(−2))) = 0.8796256610342398.
    public static let truncatedStdFactor: Double = 0.8796256610342398

    /// A normal initializer cut at two standard deviations (defaults: mean 0, std 1).
    ///
    /// - Precondition: finite mean, finite `std >= 0`.
    public init(mean: Float = 0, std: Float = 1) {
        precondition(std >= 0 && std.isFinite && mean.isFinite, "truncated-normal: mean must be finite and std finite and >= 0")
        self.mean = mean
        self.std = std
    }

    public func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
        Tensor.truncatedNormal(shape, mean: mean, std: std, bound: 2, using: &rng)
    }

    public var description: String { "truncated-normal(mean=\(Spec.format(mean)), std=\(Spec.format(std)))" }
}
