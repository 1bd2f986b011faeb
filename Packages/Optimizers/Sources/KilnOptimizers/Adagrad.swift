import KilnTensor

/// AdaGrad: per-element learning rates from the sum of squared gradients (torch semantics,
/// with the course notes' epsilon default).
///
/// Spec: `adagrad(lr=0.01, eps=1e-6, initial_accumulator=0, lr_decay=0, weight_decay=0)`.
///
///     g = ∇ + λθ
///     η_t = η / (1 + (t − 1) · lr_decay)
///     s = s + g²
///     θ = θ − η_t g / (√s + ε)          (ε outside the root)
///
/// State: `sum` (starts at `initial_accumulator`). Because s only grows, the step shrinks
/// quickly: start with a larger learning rate than for SGD (the notes' advice).
public final class Adagrad: PerParameterOptimizer {
    public let storage: OptimizerStorage
    /// ε, added outside the square root of the accumulated squares (spec `eps`, default 1e-6).
    public let epsilon: Float
    /// The value every element of the `sum` slot starts at (spec `initial_accumulator`, default 0).
    public let initialAccumulator: Float
    /// The learning-rate decay per step: η_t = η / (1 + (t − 1) · decay) (spec `lr_decay`,
    /// default 0).
    public let learningRateDecay: Float

    /// An AdaGrad optimizer with torch's defaults and the course notes' ε.
    public init(learningRate: Float = 0.01, epsilon: Float = 1e-6, initialAccumulator: Float = 0,
                learningRateDecay: Float = 0, weightDecay: Float = 0) {
        checkHyper(epsilon.isFinite && epsilon > 0, "adagrad: eps must be finite and > 0")
        checkHyper(initialAccumulator.isFinite && initialAccumulator >= 0, "adagrad: initial_accumulator must be finite and >= 0")
        checkHyper(learningRateDecay.isFinite && learningRateDecay >= 0, "adagrad: lr_decay must be finite and >= 0")
        self.epsilon = epsilon
        self.initialAccumulator = initialAccumulator
        self.learningRateDecay = learningRateDecay
        storage = OptimizerStorage(learningRate: learningRate, weightDecay: weightDecay,
                                   slots: [.init("sum", initialValue: Double(initialAccumulator))])
    }

    public var description: String {
        var s = SpecText("adagrad")
        s.add("lr", learningRate)
        s.add("eps", epsilon, default: 1e-6)
        s.add("initial_accumulator", initialAccumulator, default: 0)
        s.add("lr_decay", learningRateDecay, default: 0)
        s.add("weight_decay", storage.weightDecay, default: 0)
        return s.text
    }

    /// Every element updates on its own (see ``PerParameterOptimizer/isElementwise``).
    public var isElementwise: Bool { true }

    public func update(_ u: ParameterUpdate) {
        let clr = Float(Double(u.learningRate) / (1 + Double(u.step - 1) * Double(learningRateDecay)))
        let wd = u.weightDecay, eps = epsilon
        let theta = u.value.baseAddress!, grad = u.gradient.baseAddress!, sum = u.slot(0).baseAddress!
        for i in 0..<u.count {
            let g = grad[i] + wd * theta[i]
            let s = sum[i] + g * g
            sum[i] = s
            theta[i] -= clr * (g / (root(s) + eps))
        }
    }
}
