import KilnTensor

/// Momentum, in the course notes' form: the velocity accumulates learning-rate-scaled
/// gradients.
///
/// Spec: `momentum(lr=0.01, momentum=0.9, weight_decay=0)`.
///
///     g = ∇ + λθ
///     v = μ v + η g
///     θ = θ − v
///
/// State: `velocity` (starts at 0). With a constant learning rate this is `sgd` with the
/// same momentum (v = η b); they differ when η changes: here the old velocity keeps the
/// old rate, in `sgd` the whole buffer is rescaled by the new one.
public final class Momentum: PerParameterOptimizer {
    public let storage: OptimizerStorage
    /// μ, the fraction of the velocity kept each step (spec `momentum`, default 0.9).
    public let momentum: Float

    /// A momentum optimizer in the course notes' form (velocity v = μv + ηg).
    public init(learningRate: Float = 0.01, momentum: Float = 0.9, weightDecay: Float = 0) {
        checkHyper(momentum.isFinite && momentum >= 0 && momentum < 1, "momentum: momentum must be in [0, 1)")
        self.momentum = momentum
        storage = OptimizerStorage(learningRate: learningRate, weightDecay: weightDecay, slots: [.init("velocity")])
    }

    public var description: String {
        var s = SpecText("momentum")
        s.add("lr", learningRate)
        s.add("momentum", momentum, default: 0.9)
        s.add("weight_decay", storage.weightDecay, default: 0)
        return s.text
    }

    /// Every element updates on its own (see ``PerParameterOptimizer/isElementwise``).
    public var isElementwise: Bool { true }

    public func update(_ u: ParameterUpdate) {
        let lr = u.learningRate, wd = u.weightDecay, mu = momentum
        let theta = u.value.baseAddress!, grad = u.gradient.baseAddress!, vel = u.slot(0).baseAddress!
        for i in 0..<u.count {
            let g = grad[i] + wd * theta[i]
            let v = mu * vel[i] + lr * g
            vel[i] = v
            theta[i] -= v
        }
    }
}
