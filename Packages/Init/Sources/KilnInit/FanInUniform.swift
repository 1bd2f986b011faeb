import KilnTensor

/// `fan-in-uniform`: w ~ U(-1/√n_in, 1/√n_in), so Var(w) = 1/(3·n_in).
///
/// The course notes' uniform "standard initialization", and PyTorch's default for
/// `nn.Linear` and `nn.Conv*` weights (`kaiming_uniform_(a=√5)` works out to this bound).
public struct FanInUniform: Initializer, Equatable {
    /// The fan-in uniform initializer (no parameters).
    public init() {}

    public func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        let bound = 1 / checkedFan(fan.fanIn, "fan-in", count: count).squareRoot()
        return Tensor.uniform(shape, low: -bound, high: bound, using: &rng)
    }

    public var description: String { "fan-in-uniform" }
}
