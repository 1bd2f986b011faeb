import KilnRegistry
import KilnTensor

/// `he-uniform(mode=fan-in, slope=0)` [aliases `msra-uniform`, `kaiming-uniform`]:
/// w ~ U(-b, b) with b = gain · √(3 / fan), gain = √(2 / (1 + slope²)).
///
/// The uniform form of ``HeNormal``: same variance gain²/fan (a uniform on ±b has
/// variance b²/3). As `torch.nn.init.kaiming_uniform_`.
public struct HeUniform: Initializer, Equatable {
    /// The fan the variance is divided by (spec `mode`, default fan-in).
    public var mode: FanMode
    /// The negative slope of the LeakyReLU that follows; 0 for ReLU (spec `slope`, default 0).
    public var slope: Float

    /// He-uniform for the given fan mode and LeakyReLU slope (defaults: fan-in, ReLU).
    public init(mode: FanMode = .fanIn, slope: Float = 0) {
        precondition(slope.isFinite, "he-uniform: slope must be finite")
        self.mode = mode
        self.slope = slope
    }

    /// The bound b for `fan`.
    public func bound(for fan: Fan) -> Float {
        let gain = (2 / (1 + slope * slope)).squareRoot()
        return gain * (3 / mode.value(of: fan)).squareRoot()
    }

    public func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        precondition(mode.value(of: fan) > 0 || count == 0, "he-uniform: \(mode) must be positive, got \(fan)")
        let b = count == 0 ? 0 : bound(for: fan)
        return Tensor.uniform(shape, low: -b, high: b, using: &rng)
    }

    public var description: String { "he-uniform(mode=\(mode), slope=\(Spec.format(slope)))" }
}
