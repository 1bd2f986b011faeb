import KilnTensor

/// `flatten`: `[batch, c, h, w]` → `[batch, c·h·w]` (row-major, so no data moves: the
/// output shares the input's storage). Backward reshapes the gradient back.
public final class Flatten: Layer {
    private var inputShape: [Int] = []
    private var features = 0
    public var needsInputGradient = true

    /// The flatten layer; it has no settings.
    public init() {}

    public var description: String { "flatten" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw LayerError(layer: description, message: "input shape \(inputShape) has no features")
        }
        self.inputShape = inputShape
        features = inputShape.reduce(1, *)
        return [features]
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        precondition(Array(input.shape.dropFirst()) == inputShape, "flatten: input \(input.shape) should be [batch] + \(inputShape)")
        return input.reshaped([input.shape[0], features])
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard needsInputGradient else { return emptyGradient }
        return outputGradient.reshaped([outputGradient.shape[0]] + inputShape)
    }
}
