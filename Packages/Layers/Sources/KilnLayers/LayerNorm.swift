import KilnRegistry
import KilnTensor

/// `layernorm(eps=1e-5)` [alias `layer-norm`]: layer normalization (Ba et al.). Each
/// example is normalized over all of its F features (PyTorch's `LayerNorm(inputShape)`):
/// x̂ = (x − μ)/√(σ² + ε) with the example's own mean and biased variance, then
/// y = γ ⊙ x̂ + β with γ (`weight`, ones) and β (`bias`, zeros) of the per-example shape,
/// not regularized. Unlike BatchNorm it behaves the same in training and evaluation and
/// does not depend on the batch (the course notes' comparison).
///
/// Backward per example, with d = g ⊙ γ: dx = (1/(F·√(σ²+ε)))·(F·d − Σd − x̂·Σ(d·x̂)),
/// dγ = Σ_batch g ⊙ x̂, dβ = Σ_batch g.
public final class LayerNorm: Layer {
    /// ε, added to the variance before the square root (spec `eps`, default 1e-5).
    public let epsilon: Float
    /// γ, the per-feature scale (ones at first; not regularized); nil before `build`.
    public private(set) var weight: Parameter?
    /// β, the per-feature shift (zeros at first; not regularized); nil before `build`.
    public private(set) var bias: Parameter?
    public var needsInputGradient = true

    private var features = 0
    private var batch = 0
    private var inverseStd: [Float] = []
    private var normalized = emptyGradient
    private var output = emptyGradient
    private var inputGradient = emptyGradient

    /// A layer normalization with PyTorch's ε (default 1e-5).
    public init(epsilon: Float = 1e-5) {
        precondition(epsilon > 0 && epsilon.isFinite, "layernorm: eps must be positive")
        self.epsilon = epsilon
    }

    public var description: String { "layernorm(eps=\(Spec.format(epsilon)))" }
    public var parameters: [Parameter] { [weight, bias].compactMap { $0 } }

    public func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }) else {
            throw LayerError(layer: description, message: "input shape \(inputShape) has no features")
        }
        features = inputShape.reduce(1, *)
        weight = Parameter(name: "\(name).weight", value: .ones(inputShape), isRegularized: false)
        bias = Parameter(name: "\(name).bias", value: .zeros(inputShape), isRegularized: false)
        return inputShape
    }

    public func forward(_ input: Tensor, training: Bool) -> Tensor {
        guard let weight, let bias else { preconditionFailure("layernorm: forward before build") }
        let n = input.shape.first ?? 0
        let f = features
        precondition(input.count == n * f, "\(description): input \(input.shape) does not have \(f) features per example")
        batch = n
        normalized.ensureShape(input.shape)
        output.ensureShape(input.shape)
        if inverseStd.count != n { inverseStd = [Float](repeating: 0, count: n) }
        let eps = epsilon
        input.withUnsafeBufferPointer { xp in
            weight.value.withUnsafeBufferPointer { gamma in
                bias.value.withUnsafeBufferPointer { beta in
                    normalized.withUnsafeMutableBufferPointer { hp in
                        output.withUnsafeMutableBufferPointer { yp in
                            inverseStd.withUnsafeMutableBufferPointer { inv in
                                for i in 0..<n {
                                    let base = i * f
                                    let mu = vectorSum(xp.baseAddress! + base, f) / Float(f)
                                    let sq = vectorSumOfSquaredDeviations(xp.baseAddress! + base, f, mean: mu)
                                    let k = 1 / (sq / Float(f) + eps).squareRoot()
                                    inv[i] = k
                                    for q in 0..<f {
                                        let h = (xp[base + q] - mu) * k
                                        hp[base + q] = h
                                        yp[base + q] = gamma[q] * h + beta[q]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    public func backward(_ outputGradient: Tensor) -> Tensor {
        guard let weight, let bias else { preconditionFailure("layernorm: backward before build") }
        precondition(outputGradient.shape == output.shape, "\(description): gradient \(outputGradient.shape) should be \(output.shape)")
        let (n, f) = (batch, features)
        outputGradient.withUnsafeBufferPointer { gp in
            normalized.withUnsafeBufferPointer { hp in
                weight.gradient.withUnsafeMutableBufferPointer { dg in
                    bias.gradient.withUnsafeMutableBufferPointer { db in
                        dg.update(repeating: 0)
                        db.update(repeating: 0)
                        for i in 0..<n {
                            let base = i * f
                            for q in 0..<f {
                                dg[q] += gp[base + q] * hp[base + q]
                                db[q] += gp[base + q]
                            }
                        }
                    }
                }
            }
        }
        guard needsInputGradient else { return emptyGradient }
        inputGradient.ensureShape(output.shape)
        let ff = Float(f)
        outputGradient.withUnsafeBufferPointer { gp in
            normalized.withUnsafeBufferPointer { hp in
                weight.value.withUnsafeBufferPointer { gamma in
                    inverseStd.withUnsafeBufferPointer { inv in
                        inputGradient.withUnsafeMutableBufferPointer { dx in
                            for i in 0..<n {
                                let base = i * f
                                var sumD: Float = 0, sumDH: Float = 0
                                for q in 0..<f {
                                    let d = gp[base + q] * gamma[q]
                                    sumD += d
                                    sumDH += d * hp[base + q]
                                }
                                let k = inv[i] / ff
                                for q in 0..<f {
                                    let d = gp[base + q] * gamma[q]
                                    dx[base + q] = k * (ff * d - sumD - hp[base + q] * sumDH)
                                }
                            }
                        }
                    }
                }
            }
        }
        return inputGradient
    }
}
