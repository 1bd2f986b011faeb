import KilnRegistry
import KilnTensor

/// `constant(value)`: every weight equal to `value` (required, any finite number).
///
/// Spec: `constant(0.1)` or `constant(value=0.1)`.
public struct Constant: Initializer, Equatable {
    /// The value of every weight.
    public var value: Float

    /// An initializer that fills every weight with `value`.
    public init(_ value: Float) {
        self.value = value
    }

    public func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
        Tensor.filled(value, shape)
    }

    public var description: String { "constant(value=\(Spec.format(value)))" }
}
