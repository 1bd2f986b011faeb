import KilnRegistry
import KilnTensor

/// `elu(alpha=1)`: y = x for x > 0, α·(e^x − 1) otherwise (Clevert et al.; PyTorch's
/// default α = 1). Backward: 1 for y > 0, else y + α (= α·e^x). α must be > 0.
public final class ELU: Layer {
    /// α, the value the negative side approaches (spec `alpha`, default 1; must be > 0).
    public let alpha: Float
    public var needsInputGradient = true
    private var output = emptyGradient
    private var inputGradient = emptyGradient

    /// An ELU with the given α (default 1).
    public init(alpha: Float = 1) {
        precondition(alpha > 0 && alpha.isFinite, "elu: alpha must be finite and > 0")
        self.alpha = alpha
    }

    public var description: String { "elu(alpha=\(Spec.format(alpha)))" }
    public var parameters: [Parameter] { [] }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] { inputShape }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        output.ensureShape(input.shape)
        let alpha = self.alpha
        input.withUnsafeBufferPointer { xp in
            output.withUnsafeMutableBufferPointer { yp in
                for i in 0..<xp.count {
                    let x = xp[i]
                    yp[i] = x > 0 ? x : alpha * exponentialMinusOne(x)
                }
            }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        precondition(outputGradient.shape == output.shape, "elu: gradient \(outputGradient.shape) should be \(output.shape)")
        guard needsInputGradient else { return emptyGradient }
        inputGradient.ensureShape(output.shape)
        let alpha = self.alpha
        outputGradient.withUnsafeBufferPointer { gp in
            output.withUnsafeBufferPointer { yp in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    for i in 0..<gp.count {
                        let y = yp[i], g = gp[i]  // unconditional loads: the select vectorizes
                        dx[i] = y > 0 ? g : g * (y + alpha)
                    }
                }
            }
        }
        return inputGradient
    }
}
