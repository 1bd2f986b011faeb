import Foundation
import KilnTensor

/// Adamax: Adam with the infinity norm in place of the second moment (torch semantics).
///
/// Spec: `adamax(lr=0.002, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0)`.
///
///     g = ∇ + λθ
///     m = β₁ m + (1 − β₁) g
///     u = max(β₂ u, |g| + ε)
///     θ = θ − η/(1 − β₁ᵗ) · m / u
///
/// State: `exp_avg` (m) and `exp_inf` (u), both starting at 0. u ≥ ε > 0, so no division by 0.
public final class Adamax: PerParameterOptimizer {
    public let storage: OptimizerStorage
    /// β₁, the decay of the first moment m (spec `beta1`, default 0.9).
    public let beta1: Float
    /// β₂, the decay of the infinity norm u (spec `beta2`, default 0.999).
    public let beta2: Float
    /// ε, added to |g| so u is never 0 (spec `eps`, default 1e-8).
    public let epsilon: Float

    /// An Adamax optimizer with torch's defaults (learning rate 0.002).
    public init(learningRate: Float = 0.002, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0) {
        checkAdamHyper("adamax", beta1, beta2, epsilon)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        storage = OptimizerStorage(learningRate: learningRate, weightDecay: weightDecay,
                                   slots: [.init("exp_avg"), .init("exp_inf")])
    }

    public var description: String {
        var s = SpecText("adamax")
        s.add("lr", learningRate)
        s.add("beta1", beta1, default: 0.9)
        s.add("beta2", beta2, default: 0.999)
        s.add("eps", epsilon, default: 1e-8)
        s.add("weight_decay", storage.weightDecay, default: 0)
        return s.text
    }

    /// Every element updates on its own (see ``PerParameterOptimizer/isElementwise``).
    public var isElementwise: Bool { true }

    public func update(_ u: ParameterUpdate) {
        let clr = Float(Double(u.learningRate) / (1 - pow(Double(beta1), Double(u.step))))
        let wd = u.weightDecay, b1 = 1 - beta1, b2 = beta2, eps = epsilon
        let theta = u.value.baseAddress!, grad = u.gradient.baseAddress!
        let m = u.slot(0).baseAddress!, inf = u.slot(1).baseAddress!
        for i in 0..<u.count {
            let g = grad[i] + wd * theta[i]
            let mi = m[i] + b1 * (g - m[i])
            m[i] = mi
            let ui = max(b2 * inf[i], abs(g) + eps)
            inf[i] = ui
            theta[i] -= clr * (mi / ui)
        }
    }
}
