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
/// exempts biases. A subclass of ``Adam`` that differs only in its name, its default decay
/// and the decoupling, so the two share every line but those.
public final class AdamW: Adam {
    /// An AdamW optimizer; `weightDecay` (default 0.01) shrinks the weights by ηλ before each
    /// step. β₁, β₂, ε and AMSGrad as in ``Adam``.
    public init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                amsgrad: Bool = false, weightDecay: Float = 0.01) {
        super.init(name: "adamw", learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                   amsgrad: amsgrad, weightDecay: weightDecay, defaultWeightDecay: 0.01, decoupled: true)
    }
}
