import KilnRegistry
import KilnTensor

/// `xavier-normal(gain=1)` [alias `glorot-normal`]:
/// w ~ N(0, std²) with std = gain · √(2 / (n_in + n_out)).
///
/// Glorot and Bengio's compromise between keeping the forward variance (Var = 1/n_in)
/// and the backward variance (Var = 1/n_out); suited to tanh and sigmoid. This is the
/// course slides' Xavier formula; the book chapter's "Xavier" is the fan-in form
/// std = 1/√n_in, which is ``LeCunNormal``.
/// Use `gain` from ``gain(for:slope:)`` for the activation that follows (tanh: 5/3).
/// As `torch.nn.init.xavier_normal_`.
public struct XavierNormal: Initializer, Equatable {
    /// The activation gain (spec `gain`, default 1; see `gain(for:slope:)`).
    public var gain: Float

    /// Xavier-normal with the given gain (default 1).
    public init(gain: Float = 1) {
        precondition(gain >= 0 && gain.isFinite, "xavier-normal: gain must be finite and >= 0")
        self.gain = gain
    }

    /// The standard deviation for `fan`.
    public func std(for fan: Fan) -> Float {
        gain * (2 / Float(fan.fanIn + fan.fanOut)).squareRoot()
    }

    public func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        precondition(fan.fanIn + fan.fanOut > 0 || count == 0, "xavier-normal: fan-in + fan-out must be positive, got \(fan)")
        return Tensor.normal(shape, mean: 0, std: count == 0 ? 0 : std(for: fan), using: &rng)
    }

    public var description: String { "xavier-normal(gain=\(Spec.format(gain)))" }
}
