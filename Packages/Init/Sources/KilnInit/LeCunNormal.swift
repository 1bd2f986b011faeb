import KilnTensor

/// `lecun-normal`: w ~ N(0, 1/n_in), i.e. std = 1/√n_in.
///
/// The course notes' standard initialization ("W ~ N(0, 1/√n_in)",
/// `np.random.randn(n_prev, n) * sqrt(1/n_prev)`): with unit-variance inputs, each
/// pre-activation z = Σ wᵢxᵢ has variance 1 whatever the layer width. Also the book
/// chapter's "Xavier" init, and the init SELU networks need. An untruncated normal
/// (Keras' `lecun_normal` truncates; use `variance-scaling` for that).
public struct LeCunNormal: Initializer, Equatable {
    /// The LeCun-normal initializer (no parameters).
    public init() {}

    public func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        let std = 1 / checkedFan(fan.fanIn, "fan-in", count: count).squareRoot()
        return Tensor.normal(shape, mean: 0, std: std, using: &rng)
    }

    public var description: String { "lecun-normal" }
}
