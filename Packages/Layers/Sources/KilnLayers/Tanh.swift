import KilnTensor

/// `tanh`: y = tanh(x). Backward: dy/dx = 1 − y².
public final class Tanh: Layer {
    public var needsInputGradient = true
    private var output = emptyGradient
    private var inputGradient = emptyGradient

    /// The tanh layer; it has no settings.
    public init() {}

    public var description: String { "tanh" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        output.ensureShape(input.shape)
        input.withUnsafeBufferPointer { xp in
            output.withUnsafeMutableBufferPointer { yp in
                for i in 0..<xp.count {
                    let x = xp[i]
                    yp[i] = hyperbolicTangent(x)
                }
            }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        precondition(outputGradient.shape == output.shape, "tanh: gradient \(outputGradient.shape) should be \(output.shape)")
        guard needsInputGradient else { return emptyGradient }
        inputGradient.ensureShape(output.shape)
        outputGradient.withUnsafeBufferPointer { gp in
            output.withUnsafeBufferPointer { yp in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    for i in 0..<gp.count {
                        let y = yp[i], g = gp[i]  // unconditional loads: the select vectorizes
                        dx[i] = g * (1 - y * y)
                    }
                }
            }
        }
        return inputGradient
    }
}
