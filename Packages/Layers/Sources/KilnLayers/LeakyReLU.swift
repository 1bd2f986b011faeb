import KilnRegistry
import KilnTensor

/// `leaky-relu(slope=0.01)` [aliases `leakyrelu`, `leaky_relu`]: y = x for x > 0, slope·x
/// otherwise (PyTorch's default slope 0.01). Backward: 1 or slope. The slope must be
/// >= 0 so that the sign of y tells the branch and only the output is kept.
public final class LeakyReLU: Layer {
    /// The slope for negative inputs (spec `slope`, default 0.01; must be at least 0).
    public let slope: Float
    public var needsInputGradient = true
    private var output = emptyGradient
    private var inputGradient = emptyGradient

    /// A leaky ReLU with the given slope (default 0.01, PyTorch's).
    public init(slope: Float = 0.01) {
        precondition(slope >= 0 && slope.isFinite, "leaky-relu: slope must be finite and >= 0")
        self.slope = slope
    }

    public var description: String { "leaky-relu(slope=\(Spec.format(slope)))" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        output.ensureShape(input.shape)
        let slope = self.slope
        input.withUnsafeBufferPointer { xp in
            output.withUnsafeMutableBufferPointer { yp in
                for i in 0..<xp.count {
                    let x = xp[i]
                    yp[i] = x > 0 ? x : slope * x
                }
            }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        precondition(outputGradient.shape == output.shape, "leaky-relu: gradient \(outputGradient.shape) should be \(output.shape)")
        guard needsInputGradient else { return emptyGradient }
        inputGradient.ensureShape(output.shape)
        let slope = self.slope
        outputGradient.withUnsafeBufferPointer { gp in
            output.withUnsafeBufferPointer { yp in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    for i in 0..<gp.count {
                        let y = yp[i], g = gp[i]  // unconditional loads: the select vectorizes
                        dx[i] = y > 0 ? g : slope * g
                    }
                }
            }
        }
        return inputGradient
    }
}
