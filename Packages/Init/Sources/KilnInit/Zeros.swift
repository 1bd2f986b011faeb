import KilnTensor

/// `zeros`: every weight 0.
///
/// Fine for biases; for weights it leaves every unit of a layer identical (they receive
/// the same gradient and never differ: the symmetry problem the course notes show with
/// the zero-init histograms).
public struct Zeros: Initializer, Equatable {
    /// The all-zeros initializer (for biases; for weights it is the symmetry failure).
    public init() {}

    public func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
        Tensor.zeros(shape)
    }

    public var description: String { "zeros" }
}
