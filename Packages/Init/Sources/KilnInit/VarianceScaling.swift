import KilnRegistry
import KilnTensor

/// `variance-scaling(scale=1, mode=fan-in, distribution=truncated-normal)`: weights with
/// variance scale / n, where n is the fan chosen by `mode` (fan-in, fan-out, or their
/// average `fan-avg`). Keras' `VarianceScaling`, the family most initializers belong to:
///
/// - `distribution=normal`: w ~ N(0, scale/n).
/// - `distribution=truncated-normal`: w ~ N(0, σ²) cut at ±2σ with
///   σ = √(scale/n) / 0.87962566, so the *truncated* draws have variance scale/n
///   (0.87962566 is the standard deviation of a standard normal cut at ±2).
/// - `distribution=uniform`: w ~ U(−b, b) with b = √(3·scale/n).
///
/// So `he-normal` ≈ `variance-scaling(scale=2, distribution=normal)`,
/// `lecun-uniform` = `variance-scaling(distribution=uniform)` and
/// `xavier-uniform` = `variance-scaling(mode=fan-avg, distribution=uniform)`.
/// As in Keras, n is at least 1.
public struct VarianceScaling: Initializer, Equatable {
    /// The shape of the distribution.
    public enum Distribution: String, Sendable, CaseIterable, CustomStringConvertible {
        /// N(0, scale/n).
        case normal
        /// A normal cut at ±2σ, with σ enlarged so the draws keep the variance scale/n.
        case truncatedNormal = "truncated-normal"
        /// U(−b, b) with b = √(3 · scale/n).
        case uniform

        public var description: String { rawValue }
    }

    /// The variance numerator (spec `scale`, default 1; 2 is He's).
    public var scale: Float
    /// Which fan n the variance is divided by (spec `mode`, default fan-in).
    public var mode: FanMode
    /// The distribution (spec `distribution`, default truncated-normal).
    public var distribution: Distribution

    /// A variance-scaling initializer with Keras' defaults (scale 1, fan-in, truncated normal).
    ///
    /// - Precondition: finite `scale > 0`.
    public init(scale: Float = 1, mode: FanMode = .fanIn, distribution: Distribution = .truncatedNormal) {
        precondition(scale > 0 && scale.isFinite, "variance-scaling: scale must be finite and > 0, got \(scale)")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
    }

    /// The target variance scale / max(1, n).
    public func variance(for fan: Fan) -> Double {
        Double(scale) / Double(max(1, mode.value(of: fan)))
    }

    public func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
        let std = variance(for: fan).squareRoot()
        switch distribution {
        case .normal:
            return Tensor.normal(shape, mean: 0, std: Float(std), using: &rng)
        case .truncatedNormal:
            let sigma = Float(std / TruncatedNormal.truncatedStdFactor)
            return Tensor.truncatedNormal(shape, mean: 0, std: sigma, bound: 2, using: &rng)
        case .uniform:
            let bound = Float((3 * variance(for: fan)).squareRoot())
            return Tensor.uniform(shape, low: -bound, high: bound, using: &rng)
        }
    }

    public var description: String {
        "variance-scaling(scale=\(Spec.format(scale)), mode=\(mode), distribution=\(distribution))"
    }
}
