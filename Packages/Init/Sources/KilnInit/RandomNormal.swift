import KilnRegistry
import KilnTensor

/// `normal(mean=0, std=1)`: w ~ N(mean, std²).
///
/// A fixed std ignores the layer size: with std 1 a deep sigmoid/tanh network saturates,
/// with std 0.01 the activations collapse towards 0 (the course notes' histograms).
/// Spec: `normal`, `normal(std=0.01)`, `normal(0, 0.01)` (positional: mean, std).
public struct RandomNormal: Initializer, Equatable {
    /// The mean of the normal (spec `mean`, default 0).
    public var mean: Float
    /// The standard deviation (spec `std`, default 1).
    public var std: Float

    /// `std` must be non-negative.
    public init(mean: Float = 0, std: Float = 1) {
        precondition(std >= 0 && std.isFinite && mean.isFinite, "normal: mean must be finite and std finite and >= 0")
        self.mean = mean
        self.std = std
    }

    public func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
        Tensor.normal(shape, mean: mean, std: std, using: &rng)
    }

    public var description: String { "normal(mean=\(Spec.format(mean)), std=\(Spec.format(std)))" }
}
