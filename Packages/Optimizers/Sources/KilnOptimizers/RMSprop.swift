import KilnTensor

/// RMSProp: divides the gradient by a running root mean square of recent gradients
/// (torch semantics, the course notes' decay default α = 0.9).
///
/// Spec: `rmsprop(lr=0.001, alpha=0.9, eps=1e-8, momentum=0, centered=false, weight_decay=0)`.
///
///     g = ∇ + λθ
///     s = α s + (1 − α) g²
///     centered:  a = α a + (1 − α) g,   r = √max(s − a², 0) + ε
///     otherwise: r = √s + ε                         (ε outside the root)
///     momentum μ > 0:  b = μ b + g / r,  θ = θ − η b
///     otherwise:       θ = θ − η g / r
///
/// State: `square_avg` (s), then `momentum_buffer` (b, when μ > 0), then `grad_avg`
/// (a, when centered); all start at 0.
public final class RMSprop: PerParameterOptimizer {
    public let storage: OptimizerStorage
    /// α, the decay of the running mean of squared gradients (spec `alpha`, default 0.9, the
    /// course notes' value; torch uses 0.99).
    public let alpha: Float
    /// ε, added outside the square root (spec `eps`, default 1e-8).
    public let epsilon: Float
    /// μ, momentum on the scaled gradient; 0 turns it off (spec `momentum`, default 0).
    public let momentum: Float
    /// Whether the running mean of the gradient is subtracted, so r estimates the standard
    /// deviation (spec `centered`, default false).
    public let centered: Bool

    /// An RMSProp optimizer with the course notes' decay α = 0.9.
    public init(learningRate: Float = 0.001, alpha: Float = 0.9, epsilon: Float = 1e-8,
                momentum: Float = 0, centered: Bool = false, weightDecay: Float = 0) {
        checkHyper(alpha.isFinite && alpha >= 0 && alpha < 1, "rmsprop: alpha must be in [0, 1)")
        checkHyper(epsilon.isFinite && epsilon > 0, "rmsprop: eps must be finite and > 0")
        checkHyper(momentum.isFinite && momentum >= 0 && momentum < 1, "rmsprop: momentum must be in [0, 1)")
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.centered = centered
        var slots: [OptimizerStorage.Slot] = [.init("square_avg")]
        if momentum > 0 { slots.append(.init("momentum_buffer")) }
        if centered { slots.append(.init("grad_avg")) }
        storage = OptimizerStorage(learningRate: learningRate, weightDecay: weightDecay, slots: slots)
    }

    public var description: String {
        var s = SpecText("rmsprop")
        s.add("lr", learningRate)
        s.add("alpha", alpha, default: 0.9)
        s.add("eps", epsilon, default: 1e-8)
        s.add("momentum", momentum, default: 0)
        s.add("centered", centered, default: false)
        s.add("weight_decay", storage.weightDecay, default: 0)
        return s.text
    }

    /// Every element updates on its own (see ``PerParameterOptimizer/isElementwise``).
    public var isElementwise: Bool { true }

    public func update(_ u: ParameterUpdate) {
        let lr = u.learningRate, wd = u.weightDecay, a = alpha, oneMinusA = 1 - alpha, eps = epsilon, mu = momentum
        let theta = u.value.baseAddress!, grad = u.gradient.baseAddress!, sq = u.slot(0).baseAddress!
        let n = u.count
        switch (momentum > 0, centered) {
        case (false, false):
            for i in 0..<n {
                let g = grad[i] + wd * theta[i]
                let s = a * sq[i] + oneMinusA * (g * g)
                sq[i] = s
                theta[i] -= lr * (g / (root(s) + eps))
            }
        case (true, false):
            let b = u.slot(1).baseAddress!
            for i in 0..<n {
                let g = grad[i] + wd * theta[i]
                let s = a * sq[i] + oneMinusA * (g * g)
                sq[i] = s
                let m = mu * b[i] + g / (root(s) + eps)
                b[i] = m
                theta[i] -= lr * m
            }
        case (false, true):
            let ga = u.slot(1).baseAddress!
            for i in 0..<n {
                let g = grad[i] + wd * theta[i]
                let s = a * sq[i] + oneMinusA * (g * g)
                sq[i] = s
                let m = a * ga[i] + oneMinusA * g
                ga[i] = m
                theta[i] -= lr * (g / (root(s - m * m) + eps))
            }
        case (true, true):
            let b = u.slot(1).baseAddress!, ga = u.slot(2).baseAddress!
            for i in 0..<n {
                let g = grad[i] + wd * theta[i]
                let s = a * sq[i] + oneMinusA * (g * g)
                sq[i] = s
                let m = a * ga[i] + oneMinusA * g
                ga[i] = m
                let v = mu * b[i] + g / (root(s - m * m) + eps)
                b[i] = v
                theta[i] -= lr * v
            }
        }
    }
}
