import KilnTensor

/// `lecun-uniform`: w ~ U(−√(3/n_in), √(3/n_in)), so Var(w) = 1/n_in.
///
/// The uniform form of ``LeCunNormal`` (same variance). As Keras' `lecun_uniform`.
/// Compare ``FanInUniform``, whose bound 1/√n_in gives a third of this variance.
public struct LeCunUniform: Initializer, Equatable {
    /// The LeCun-uniform initializer (no parameters).
    public init() {}

    public func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        let bound = (3 / checkedFan(fan.fanIn, "fan-in", count: count)).squareRoot()
        return Tensor.uniform(shape, low: -bound, high: bound, using: &rng)
    }

    public var description: String { "lecun-uniform" }
}
