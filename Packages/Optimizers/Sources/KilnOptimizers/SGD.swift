import KilnTensor

/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and
/// L2 weight decay, with `torch.optim.SGD`'s semantics.
///
/// Spec: `sgd(lr=0.01, momentum=0, dampening=0, nesterov=false, weight_decay=0)`.
///
/// Per element, at step t (1-based), with learning rate η, momentum μ, dampening τ, weight
/// decay λ:
///
///     g = ∇ + λθ
///     if μ > 0:  b = g                    (t = 1)
///                b = μ b + (1 − τ) g      (t > 1)
///                g = nesterov ? g + μ b : b
///     θ = θ − η g
///
/// State: `momentum_buffer` (only when μ > 0). `nesterov=true` needs μ > 0 and τ = 0 (as
/// torch). Without momentum this is the course notes' plain SGD, θ −= η ∇.
public final class SGD: PerParameterOptimizer {
    public let storage: OptimizerStorage
    /// μ, the momentum coefficient; 0 is plain SGD (spec `momentum`, default 0).
    public let momentum: Float
    /// τ, the share of the new gradient held back from the buffer (spec `dampening`, default 0).
    public let dampening: Float
    /// Whether the step uses g + μb instead of b (spec `nesterov`, default false; needs μ > 0
    /// and τ = 0).
    public let nesterov: Bool

    /// An SGD optimizer; with the defaults it is the course notes' θ −= η∇.
    public init(learningRate: Float = 0.01, momentum: Float = 0, dampening: Float = 0,
                nesterov: Bool = false, weightDecay: Float = 0) {
        checkHyper(momentum.isFinite && momentum >= 0, "sgd: momentum must be finite and >= 0")
        checkHyper(dampening.isFinite && dampening >= 0 && dampening <= 1, "sgd: dampening must be in [0, 1]")
        checkHyper(!nesterov || (momentum > 0 && dampening == 0), "sgd: nesterov needs momentum > 0 and dampening = 0")
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        storage = OptimizerStorage(learningRate: learningRate, weightDecay: weightDecay,
                                   slots: momentum > 0 ? [.init("momentum_buffer")] : [])
    }

    public var description: String {
        var s = SpecText("sgd")
        s.add("lr", learningRate)
        s.add("momentum", momentum, default: 0)
        s.add("dampening", dampening, default: 0)
        s.add("nesterov", nesterov, default: false)
        s.add("weight_decay", storage.weightDecay, default: 0)
        return s.text
    }

    /// Every element updates on its own (see ``PerParameterOptimizer/isElementwise``).
    public var isElementwise: Bool { true }

    public func update(_ u: ParameterUpdate) {
        let lr = u.learningRate, wd = u.weightDecay, n = u.count
        let v = u.value.baseAddress!, grad = u.gradient.baseAddress!
        guard momentum > 0 else {
            for i in 0..<n { v[i] -= lr * (grad[i] + wd * v[i]) }
            return
        }
        let b = u.slot(0).baseAddress!
        // On the first step b = g: with b = 0 initially, keep = 0 and gain = 1 give exactly g.
        let keep: Float = u.step == 1 ? 0 : momentum
        let gain: Float = u.step == 1 ? 1 : 1 - dampening
        let mu = momentum
        if nesterov {
            for i in 0..<n {
                let g = grad[i] + wd * v[i]
                let m = keep * b[i] + gain * g
                b[i] = m
                v[i] -= lr * (g + mu * m)
            }
        } else {
            for i in 0..<n {
                let g = grad[i] + wd * v[i]
                let m = keep * b[i] + gain * g
                b[i] = m
                v[i] -= lr * m
            }
        }
    }
}
