import KilnTensor

/// AdaDelta: a step size from the ratio of running RMS of updates and of gradients, so the
/// learning rate is only an overall scale (torch semantics).
///
/// Spec: `adadelta(lr=1, rho=0.9, eps=1e-5, weight_decay=0)`.
///
///     g = ∇ + λθ
///     s = ρ s + (1 − ρ) g²
///     Δ = √(d + ε) / √(s + ε) · g        (ε inside the roots)
///     d = ρ d + (1 − ρ) Δ²
///     θ = θ − η Δ
///
/// State: `square_avg` (s) and `acc_delta` (d), both starting at 0.
public final class Adadelta: PerParameterOptimizer {
    public let storage: OptimizerStorage
    /// ρ, the decay of both running averages (spec `rho`, default 0.9).
    public let rho: Float
    /// ε, added inside both square roots so the first steps are not 0/0 (spec `eps`, default 1e-5).
    public let epsilon: Float

    /// An AdaDelta optimizer; the learning rate only scales the ratio of RMS values (default 1).
    ///
    /// Traps when ρ is outside [0, 1) or ε is not positive and finite.
    public init(learningRate: Float = 1, rho: Float = 0.9, epsilon: Float = 1e-5, weightDecay: Float = 0) {
        checkHyper(rho.isFinite && rho >= 0 && rho < 1, "adadelta: rho must be in [0, 1)")
        checkHyper(epsilon.isFinite && epsilon > 0, "adadelta: eps must be finite and > 0")
        self.rho = rho
        self.epsilon = epsilon
        storage = OptimizerStorage(learningRate: learningRate, weightDecay: weightDecay,
                                   slots: [.init("square_avg"), .init("acc_delta")])
    }

    public var description: String {
        var s = SpecText("adadelta")
        s.add("lr", learningRate)
        s.add("rho", rho, default: 0.9)
        s.add("eps", epsilon, default: 1e-5)
        s.add("weight_decay", storage.weightDecay, default: 0)
        return s.text
    }

    /// Every element updates on its own (see ``PerParameterOptimizer/isElementwise``).
    public var isElementwise: Bool { true }

    public func update(_ u: ParameterUpdate) {
        let lr = u.learningRate, wd = u.weightDecay, rho = rho, eps = epsilon, oneMinusRho = 1 - rho
        let theta = u.value.baseAddress!, grad = u.gradient.baseAddress!
        let sq = u.slot(0).baseAddress!, acc = u.slot(1).baseAddress!
        for i in 0..<u.count {
            let g = grad[i] + wd * theta[i]
            let s = rho * sq[i] + oneMinusRho * (g * g)
            sq[i] = s
            let delta = root(acc[i] + eps) / root(s + eps) * g
            acc[i] = rho * acc[i] + oneMinusRho * (delta * delta)
            theta[i] -= lr * delta
        }
    }
}
