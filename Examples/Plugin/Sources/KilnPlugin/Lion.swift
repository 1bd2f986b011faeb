import Foundation
import KilnOptimizers
import KilnTensor

/// Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"):
///
///     u = sign(β₁ m + (1 − β₁) g)
///     θ = θ − η (u + λ θ)
///     m = β₂ m + (1 − β₂) g
///
/// One state slot (m). Spec: `lion(lr=1e-4, beta1=0.9, beta2=0.99, weight_decay=0)`; its
/// steps are all ±η, so it wants a learning rate 3-10x smaller than Adam's.
final class Lion: PerParameterOptimizer {
    let storage: OptimizerStorage
    let beta1: Float
    let beta2: Float

    init(learningRate: Float, beta1: Float, beta2: Float, weightDecay: Float) {
        self.beta1 = beta1
        self.beta2 = beta2
        storage = OptimizerStorage(learningRate: learningRate, weightDecay: weightDecay, slots: [.init("exp_avg")])
    }

    var description: String {
        "lion(lr=\(learningRate), beta1=\(beta1), beta2=\(beta2), weight_decay=\(storage.weightDecay))"
    }

    var isElementwise: Bool { true }

    func update(_ u: ParameterUpdate) {
        let lr = u.learningRate, wd = u.weightDecay
        let m = u.slot(0)
        for i in 0..<u.count {
            let g = u.gradient[i]
            let c = beta1 * m[i] + (1 - beta1) * g
            let sign: Float = c > 0 ? 1 : c < 0 ? -1 : 0
            u.value[i] -= lr * (sign + wd * u.value[i])
            m[i] = beta2 * m[i] + (1 - beta2) * g
        }
    }
}

func registerLion() {
    optimizers.register("lion") { spec in
        Lion(learningRate: try spec.float("lr", at: 0, default: 1e-4, in: 0...),
             beta1: try spec.float("beta1", default: 0.9, in: 0...1),
             beta2: try spec.float("beta2", default: 0.99, in: 0...1),
             weightDecay: try spec.float("weight_decay", default: 0, in: 0...))
    }
}
