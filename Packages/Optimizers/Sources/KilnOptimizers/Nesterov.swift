import KilnTensor

/// Nesterov accelerated gradient (NAG) in the reformulated form torch uses: the gradient is
/// taken at the current parameters, no look-ahead evaluation is needed.
///
/// Spec: `nesterov(lr=0.01, momentum=0.9, weight_decay=0)`.
///
///     g = ∇f(θ) + λθ
///     b = μ b + g
///     θ = θ − η (g + μ b)
///
/// State: `momentum_buffer` (starts at 0). Equals `sgd(momentum=μ, nesterov=true)`.
///
/// **Equivalence to the course notes' look-ahead form.** The notes evaluate the gradient at
/// a look-ahead point: θ̂ = θ − μ v, g = ∇f(θ̂), v = μ v + η g, θ = θ − v. Track the
/// look-ahead point φ = θ − μ v instead of θ. Then
/// φ' = θ − v' − μ v' = φ + μ v − (1 + μ)(μ v + η g) = φ − μ(μ v + η g) − η g,
/// and with b = v / η (constant η) this is b' = μ b + g, φ' = φ − η (g + μ b'), with g
/// evaluated at φ: exactly the update above. So the two forms visit the same points,
/// shifted by μ v; this form stores φ and needs the gradient only where the parameters are.
public final class Nesterov: PerParameterOptimizer {
    public let storage: OptimizerStorage
    /// μ, the momentum coefficient (spec `momentum`, default 0.9).
    public let momentum: Float

    /// A Nesterov-momentum optimizer, equal to `sgd(momentum=μ, nesterov=true)`.
    public init(learningRate: Float = 0.01, momentum: Float = 0.9, weightDecay: Float = 0) {
        checkHyper(momentum.isFinite && momentum >= 0 && momentum < 1, "nesterov: momentum must be in [0, 1)")
        self.momentum = momentum
        storage = OptimizerStorage(learningRate: learningRate, weightDecay: weightDecay, slots: [.init("momentum_buffer")])
    }

    public var description: String {
        var s = SpecText("nesterov")
        s.add("lr", learningRate)
        s.add("momentum", momentum, default: 0.9)
        s.add("weight_decay", storage.weightDecay, default: 0)
        return s.text
    }

    /// Every element updates on its own (see ``PerParameterOptimizer/isElementwise``).
    public var isElementwise: Bool { true }

    public func update(_ u: ParameterUpdate) {
        let lr = u.learningRate, wd = u.weightDecay, mu = momentum
        let theta = u.value.baseAddress!, grad = u.gradient.baseAddress!, b = u.slot(0).baseAddress!
        for i in 0..<u.count {
            let g = grad[i] + wd * theta[i]
            let m = mu * b[i] + g
            b[i] = m
            theta[i] -= lr * (g + mu * m)
        }
    }
}
