import KilnLayers
import KilnTensor

/// y = x·σ(βx) with a learnable β (one per layer): a layer with a parameter, written with
/// the building blocks the built-ins use.
final class Swish: Layer {
    var needsInputGradient = true
    private(set) var beta = Parameter(name: "", value: Tensor.filled(1, [1]))
    private var input = emptyGradient
    private var output = emptyGradient
    private var inputGradient = emptyGradient

    var description: String { "swish" }
    var parameters: [Parameter] { [beta] }

    func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] {
        beta = Parameter(name: name + ".beta", value: Tensor.filled(1, [1]), isRegularized: false)
        return inputShape
    }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        input = x
        output.ensureShape(x.shape)
        let b = beta.value[flat: 0]
        x.withUnsafeBufferPointer { xp in
            output.withUnsafeMutableBufferPointer { yp in
                for i in 0..<xp.count { yp[i] = xp[i] * logistic(b * xp[i]) }
            }
        }
        return output
    }

    func backward(_ outputGradient: Tensor) -> Tensor {
        let b = beta.value[flat: 0]
        var dBeta: Double = 0
        if needsInputGradient { inputGradient.ensureShape(input.shape) }
        let wantInput = needsInputGradient
        input.withUnsafeBufferPointer { xp in
            outputGradient.withUnsafeBufferPointer { gp in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    for i in 0..<xp.count {
                        let x = xp[i], s = logistic(b * x)
                        // dy/dx = σ + βx·σ(1 − σ); dy/dβ = x²·σ(1 − σ).
                        if wantInput { dx[i] = gp[i] * (s + b * x * s * (1 - s)) }
                        dBeta += Double(gp[i] * x * x * s * (1 - s))
                    }
                }
            }
        }
        beta.gradient = Tensor.filled(Float(dBeta), [1])
        return wantInput ? inputGradient : emptyGradient
    }
}
