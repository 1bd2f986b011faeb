import KilnTensor

/// `sigmoid`: y = 1 / (1 + e^(−x)), computed as e^x / (1 + e^x) for x < 0 so that no
/// exponential overflows. Backward: dy/dx = y·(1 − y).
public final class Sigmoid: Layer {
    public var needsInputGradient = true
    private var output = emptyGradient
    private var inputGradient = emptyGradient

    /// The sigmoid layer, y = σ(x); it has no settings.
    public init() {}

    public var description: String { "sigmoid" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        output.ensureShape(input.shape)
        input.withUnsafeBufferPointer { xp in
            output.withUnsafeMutableBufferPointer { yp in
                for i in 0..<xp.count {
                    let x = xp[i]
                    yp[i] = logistic(x)
                }
            }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        precondition(outputGradient.shape == output.shape, "sigmoid: gradient \(outputGradient.shape) should be \(output.shape)")
        guard needsInputGradient else { return emptyGradient }
        inputGradient.ensureShape(output.shape)
        outputGradient.withUnsafeBufferPointer { gp in
            output.withUnsafeBufferPointer { yp in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    for i in 0..<gp.count {
                        let y = yp[i], g = gp[i]  // unconditional loads: the select vectorizes
                        dx[i] = g * y * (1 - y)
                    }
                }
            }
        }
        return inputGradient
    }
}
