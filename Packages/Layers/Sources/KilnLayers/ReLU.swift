import KilnTensor

/// `relu`: y = max(x, 0). Backward: dy/dx = 1 where y > 0, else 0 (0 at x = 0, like
/// every framework). It keeps only its own output, so the previous layer's buffer is free.
public final class ReLU: Layer {
    public var needsInputGradient = true
    private var output = emptyGradient
    private var inputGradient = emptyGradient

    /// The ReLU layer, y = max(x, 0); it has no settings.
    public init() {}

    public var description: String { "relu" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        output.ensureShape(input.shape)
        input.withUnsafeBufferPointer { xp in
            output.withUnsafeMutableBufferPointer { yp in
                for i in 0..<xp.count {
                    let x = xp[i]
                    yp[i] = !(x <= 0) ? x : 0  // positive or NaN (NaN propagates): one compare, vectorized
                }
            }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        precondition(outputGradient.shape == output.shape, "relu: gradient \(outputGradient.shape) should be \(output.shape)")
        guard needsInputGradient else { return emptyGradient }
        inputGradient.ensureShape(output.shape)
        outputGradient.withUnsafeBufferPointer { gp in
            output.withUnsafeBufferPointer { yp in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    for i in 0..<gp.count {
                        let y = yp[i], g = gp[i]  // unconditional loads: the select vectorizes
                        dx[i] = y > 0 ? g : 0
                    }
                }
            }
        }
        return inputGradient
    }
}
