import KilnTensor

/// `ones`: every weight 1 (the usual initial scale of batch and layer normalization).
public struct Ones: Initializer, Equatable {
    /// The all-ones initializer.
    public init() {}

    public func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
        Tensor.filled(1, shape)
    }

    public var description: String { "ones" }
}
