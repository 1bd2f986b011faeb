import KilnRegistry
import KilnTensor

/// `xavier-uniform(gain=1)` [alias `glorot-uniform`]:
/// w ~ U(-b, b) with b = gain · √(6 / (n_in + n_out)).
///
/// The uniform form of ``XavierNormal`` (same variance 2·gain²/(n_in + n_out)); Keras'
/// default kernel initializer. As `torch.nn.init.xavier_uniform_`.
public struct XavierUniform: Initializer, Equatable {
    /// The activation gain (spec `gain`, default 1; see `gain(for:slope:)`).
    public var gain: Float

    /// Xavier-uniform with the given gain (default 1).
    public init(gain: Float = 1) {
        precondition(gain >= 0 && gain.isFinite, "xavier-uniform: gain must be finite and >= 0")
        self.gain = gain
    }

    /// The bound b for `fan`.
    public func bound(for fan: Fan) -> Float {
        gain * (6 / Float(fan.fanIn + fan.fanOut)).squareRoot()
    }

    public func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        precondition(fan.fanIn + fan.fanOut > 0 || count == 0, "xavier-uniform: fan-in + fan-out must be positive, got \(fan)")
        let b = count == 0 ? 0 : bound(for: fan)
        return Tensor.uniform(shape, low: -b, high: b, using: &rng)
    }

    public var description: String { "xavier-uniform(gain=\(Spec.format(gain)))" }
}
