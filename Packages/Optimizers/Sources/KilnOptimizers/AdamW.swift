import KilnTensor

/// AdamW: Adam with decoupled weight decay (Loshchilov & Hutter; torch semantics).
///
/// Spec: `adamw(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=false, weight_decay=0.01)`.
///
///     θ = θ (1 − η λ)                   (decay the weights directly, not through g)
///     m = β₁ m + (1 − β₁) ∇
///     v = β₂ v + (1 − β₂) ∇²
///     θ = θ − η/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
///
/// Unlike L2 in ``Adam``, the decay is not divided by √v̂, so every weight shrinks at the
/// same relative rate. State as ``Adam``. A ``ParameterGroup`` with `weightDecay: 0`
/// exempts biases.
public final class AdamW: PerParameterOptimizer {
    public let storage: OptimizerStorage
    /// β₁, the decay of the first moment m (spec `beta1`, default 0.9).
    public let beta1: Float
    /// β₂, the decay of the second moment v (spec `beta2`, default 0.999).
    public let beta2: Float
    /// ε, added to the bias-corrected √v̂ (spec `eps`, default 1e-8).
    public let epsilon: Float
    /// Whether v̂ is the running maximum of v, as in AMSGrad (spec `amsgrad`, default false).
    public let amsgrad: Bool

    /// An AdamW optimizer; `weightDecay` (default 0.01) shrinks the weights by ηλ before each step.
    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                amsgrad: Bool = false, weightDecay: Float = 0.01) {
        checkAdamHyper("adamw", beta1, beta2, epsilon)
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        storage = OptimizerStorage(learningRate: learningRate, weightDecay: weightDecay, slots: adamSlots(amsgrad: amsgrad))
    }

    public var description: String {
        adamDescription("adamw", learningRate, beta1, beta2, epsilon, amsgrad,
                        weightDecay: storage.weightDecay, defaultWeightDecay: 0.01)
    }

    /// Every element updates on its own (see ``PerParameterOptimizer/isElementwise``).
    public var isElementwise: Bool { true }

    public func update(_ u: ParameterUpdate) {
        adamUpdate(u, beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad, decoupled: true)
    }
}
