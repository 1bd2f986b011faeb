import Foundation
import KilnTensor

/// Adam: momentum on the gradient plus RMSProp scaling, both bias-corrected (torch
/// semantics; the course notes' defaults).
///
/// Spec: `adam(lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=false, weight_decay=0)`.
///
///     g = ∇ + λθ                        (L2-style weight decay, as torch.optim.Adam)
///     m = β₁ m + (1 − β₁) g
///     v = β₂ v + (1 − β₂) g²
///     amsgrad:  v̂ = max(v̂, v), else v̂ = v
///     θ = θ − η/(1 − β₁ᵗ) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
///
/// t is the parameter's step (1-based). State: `exp_avg` (m), `exp_avg_sq` (v), and
/// `max_exp_avg_sq` (v̂) when amsgrad; all start at 0. The bias corrections are computed
/// in `Double` once per parameter and step; the element loop is one fused pass.
/// For decoupled weight decay use ``AdamW``.
public class Adam: PerParameterOptimizer {
    public let storage: OptimizerStorage
    /// β₁, the decay of the first moment m (spec `beta1`, default 0.9).
    public let beta1: Float
    /// β₂, the decay of the second moment v (spec `beta2`, default 0.999).
    public let beta2: Float
    /// ε, added to the bias-corrected √v̂ so the step stays finite (spec `eps`, default 1e-8).
    public let epsilon: Float
    /// Whether v̂ is the running maximum of v (AMSGrad), so the effective step never grows
    /// (spec `amsgrad`, default false).
    public let amsgrad: Bool
    /// The spec name, the default weight decay, and whether the decay is decoupled:
    /// `adam`, 0, false here; ``AdamW`` (the one subclass) sets `adamw`, 0.01, true.
    let name: String, defaultWeightDecay: Float, decoupled: Bool

    /// An Adam optimizer with the course notes' defaults; `weightDecay` adds λθ to the gradient.
    ///
    /// Traps when a β is outside [0, 1) or ε is not positive and finite.
    public convenience init(learningRate: Float = 0.001, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                            amsgrad: Bool = false, weightDecay: Float = 0) {
        self.init(name: "adam", learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                  amsgrad: amsgrad, weightDecay: weightDecay, defaultWeightDecay: 0, decoupled: false)
    }

    init(name: String, learningRate: Float, beta1: Float, beta2: Float, epsilon: Float,
         amsgrad: Bool, weightDecay: Float, defaultWeightDecay: Float, decoupled: Bool) {
        checkAdamHyper(name, beta1, beta2, epsilon)
        self.name = name
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        self.defaultWeightDecay = defaultWeightDecay
        self.decoupled = decoupled
        var slots: [OptimizerStorage.Slot] = [.init("exp_avg"), .init("exp_avg_sq")]
        if amsgrad { slots.append(.init("max_exp_avg_sq")) }
        storage = OptimizerStorage(learningRate: learningRate, weightDecay: weightDecay, slots: slots)
    }

    public var description: String {
        var s = SpecText(name)
        s.add("lr", learningRate)
        s.add("beta1", beta1, default: 0.9)
        s.add("beta2", beta2, default: 0.999)
        s.add("eps", epsilon, default: 1e-8)
        s.add("amsgrad", amsgrad, default: false)
        s.add("weight_decay", storage.weightDecay, default: defaultWeightDecay)
        return s.text
    }

    /// Every element updates on its own (see ``PerParameterOptimizer/isElementwise``).
    public var isElementwise: Bool { true }

    public func update(_ u: ParameterUpdate) {
        adamUpdate(u, beta1: beta1, beta2: beta2, epsilon: epsilon, amsgrad: amsgrad, decoupled: decoupled)
    }
}

func checkAdamHyper(_ name: String, _ beta1: Float, _ beta2: Float, _ epsilon: Float) {
    checkHyper(beta1.isFinite && beta1 >= 0 && beta1 < 1, "\(name): beta1 must be in [0, 1)")
    checkHyper(beta2.isFinite && beta2 >= 0 && beta2 < 1, "\(name): beta2 must be in [0, 1)")
    checkHyper(epsilon.isFinite && epsilon > 0, "\(name): eps must be finite and > 0")
}

/// The fused Adam/AdamW loop. `decoupled`: θ ← θ(1 − ηλ) first and no λ in the gradient.
@inline(__always)
func adamUpdate(_ u: ParameterUpdate, beta1: Float, beta2: Float, epsilon: Float, amsgrad: Bool, decoupled: Bool) {
    let t = Double(u.step)
    let lr = u.learningRate
    let stepSize = Float(Double(lr) / (1 - pow(Double(beta1), t)))
    let inverseRoot = Float(1 / (1 - pow(Double(beta2), t)).squareRoot())
    let b1 = 1 - beta1, b2 = beta2, oneMinusB2 = 1 - beta2, eps = epsilon
    let wd: Float = decoupled ? 0 : u.weightDecay
    let shrink: Float = decoupled ? 1 - lr * u.weightDecay : 1
    let theta = u.value.baseAddress!, grad = u.gradient.baseAddress!
    let m = u.slot(0).baseAddress!, v = u.slot(1).baseAddress!
    let n = u.count
    if decoupled && shrink != 1 {
        for i in 0..<n { theta[i] *= shrink }
    }
    if amsgrad {
        let vmax = u.slot(2).baseAddress!
        for i in 0..<n {
            let g = grad[i] + wd * theta[i]
            let mi = m[i] + b1 * (g - m[i])
            m[i] = mi
            let vi = b2 * v[i] + oneMinusB2 * (g * g)
            v[i] = vi
            let top = max(vmax[i], vi)
            vmax[i] = top
            theta[i] -= stepSize * (mi / (root(top) * inverseRoot + eps))
        }
    } else {
        for i in 0..<n {
            let g = grad[i] + wd * theta[i]
            let mi = m[i] + b1 * (g - m[i])
            m[i] = mi
            let vi = b2 * v[i] + oneMinusB2 * (g * g)
            v[i] = vi
            theta[i] -= stepSize * (mi / (root(vi) * inverseRoot + eps))
        }
    }
}
