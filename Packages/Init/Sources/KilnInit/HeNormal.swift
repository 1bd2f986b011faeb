import KilnRegistry
import KilnTensor

/// `he-normal(mode=fan-in, slope=0)` [aliases `msra-normal`, `kaiming-normal`]:
/// w ~ N(0, std²) with std = gain / √fan, gain = √(2 / (1 + slope²)).
///
/// With `slope=0` (ReLU) this is the course notes' MSRA init, std = √(2/n_in): ReLU zeroes
/// half of its inputs, so the weights need twice Xavier's variance to keep the activation
/// variance constant through the layers. `slope` is the negative slope of a LeakyReLU
/// (torch's `a`). `mode=fan-out` preserves the variance of the backward pass instead;
/// `fan-avg` is accepted too. As `torch.nn.init.kaiming_normal_` (untruncated normal).
public struct HeNormal: Initializer, Equatable {
    /// The fan the variance is divided by (spec `mode`, default fan-in).
    public var mode: FanMode
    /// The negative slope of the LeakyReLU that follows; 0 for ReLU (spec `slope`, default 0).
    public var slope: Float

    /// He-normal for the given fan mode and LeakyReLU slope (defaults: fan-in, ReLU).
    public init(mode: FanMode = .fanIn, slope: Float = 0) {
        precondition(slope.isFinite, "he-normal: slope must be finite")
        self.mode = mode
        self.slope = slope
    }

    /// The standard deviation for `fan`.
    public func std(for fan: Fan) -> Float {
        let gain = (2 / (1 + slope * slope)).squareRoot()
        return gain / mode.value(of: fan).squareRoot()
    }

    public func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        precondition(mode.value(of: fan) > 0 || count == 0, "he-normal: \(mode) must be positive, got \(fan)")
        return Tensor.normal(shape, mean: 0, std: count == 0 ? 0 : std(for: fan), using: &rng)
    }

    public var description: String { "he-normal(mode=\(mode), slope=\(Spec.format(slope)))" }
}
