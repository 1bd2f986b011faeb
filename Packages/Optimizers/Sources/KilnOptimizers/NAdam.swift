import Foundation
import KilnTensor

/// NAdam: Adam with Nesterov momentum and a momentum warm-up schedule (Dozat 2016;
/// torch.optim.NAdam semantics).
///
/// Spec: `nadam(lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8, momentum_decay=0.004, weight_decay=0)`.
///
///     g = ∇ + λθ
///     μ_t = β₁ (1 − ½ · 0.96^(t ψ)),  μ_{t+1} likewise     (ψ = momentum_decay)
///     Π = Π · μ_t                                          (Π starts at 1)
///     m = β₁ m + (1 − β₁) g
///     v = β₂ v + (1 − β₂) g²
///     d = √(v / (1 − β₂ᵗ)) + ε
///     θ = θ − η (1 − μ_t)/(1 − Π) · g/d − η μ_{t+1}/(1 − Π μ_{t+1}) · m/d
///
/// State: `exp_avg` (m), `exp_avg_sq` (v) and the per-parameter scalar `mu_product` (Π,
/// kept in `Double`; torch keeps it in a Float32 tensor, a difference below 1e-7 relative).
public final class NAdam: PerParameterOptimizer {
    public let storage: OptimizerStorage
    /// β₁, the decay of the first moment and the scale of the momentum schedule μ_t (spec
    /// `beta1`, default 0.9).
    public let beta1: Float
    /// β₂, the decay of the second moment v (spec `beta2`, default 0.999).
    public let beta2: Float
    /// ε, added to the bias-corrected √v (spec `eps`, default 1e-8).
    public let epsilon: Float
    /// ψ, the speed of the momentum warm-up μ_t = β₁(1 − ½ · 0.96^(tψ)) (spec `momentum_decay`,
    /// default 0.004).
    public let momentumDecay: Float

    /// A NAdam optimizer with torch's defaults (learning rate 0.002).
    public init(learningRate: Float = 0.002, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                momentumDecay: Float = 0.004, weightDecay: Float = 0) {
        checkAdamHyper("nadam", beta1, beta2, epsilon)
        checkHyper(momentumDecay.isFinite && momentumDecay >= 0, "nadam: momentum_decay must be finite and >= 0")
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.momentumDecay = momentumDecay
        storage = OptimizerStorage(learningRate: learningRate, weightDecay: weightDecay,
                                   slots: [.init("exp_avg"), .init("exp_avg_sq")],
                                   scalars: [.init("mu_product", initialValue: 1)])
    }

    public var description: String {
        var s = SpecText("nadam")
        s.add("lr", learningRate)
        s.add("beta1", beta1, default: 0.9)
        s.add("beta2", beta2, default: 0.999)
        s.add("eps", epsilon, default: 1e-8)
        s.add("momentum_decay", momentumDecay, default: 0.004)
        s.add("weight_decay", storage.weightDecay, default: 0)
        return s.text
    }

    public func update(_ u: ParameterUpdate) {
        let t = Double(u.step), b1d = Double(beta1), psi = Double(momentumDecay), lr = Double(u.learningRate)
        let mu = b1d * (1 - 0.5 * pow(0.96, t * psi))
        let muNext = b1d * (1 - 0.5 * pow(0.96, (t + 1) * psi))
        let product = u.scalars[0] * mu
        u.scalars[0] = product
        let gradScale = Float(lr * (1 - mu) / (1 - product))
        let momentumScale = Float(lr * muNext / (1 - product * muNext))
        let inverseCorrection = Float(1 / (1 - pow(Double(beta2), t)))
        let wd = u.weightDecay, b1 = 1 - beta1, b2 = beta2, oneMinusB2 = 1 - beta2, eps = epsilon
        let theta = u.value.baseAddress!, grad = u.gradient.baseAddress!
        let m = u.slot(0).baseAddress!, v = u.slot(1).baseAddress!
        for i in 0..<u.count {
            let g = grad[i] + wd * theta[i]
            let mi = m[i] + b1 * (g - m[i])
            m[i] = mi
            let vi = b2 * v[i] + oneMinusB2 * (g * g)
            v[i] = vi
            let d = root(vi * inverseCorrection) + eps
            theta[i] -= gradScale * (g / d)
            theta[i] -= momentumScale * (mi / d)
        }
    }
}
