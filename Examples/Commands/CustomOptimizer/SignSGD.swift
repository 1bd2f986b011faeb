import KilnOptimizers
import KilnTensor

/// Sign-SGD (Bernstein et al. 2018): θ −= η · sign(∇). Only the sign of each gradient
/// element is used, so every element moves by exactly η (0 where the gradient is 0).
/// This whole file is the custom optimizer: the update rule and one `register` call.
final class SignSGD: PerParameterOptimizer {
    let storage: OptimizerStorage  // no state slots: sign-SGD keeps no memory

    init(learningRate: Float) { storage = OptimizerStorage(learningRate: learningRate) }

    var description: String { "sign-sgd(lr=\(learningRate))" }

    func update(_ u: ParameterUpdate) {
        let lr = u.learningRate
        for i in 0..<u.count {
            let g = u.gradient[i]
            u.value[i] -= g > 0 ? lr : g < 0 ? -lr : 0
        }
    }
}

/// After this, `optimizers.make("sign-sgd(lr=0.05)")` works like any built-in.
func registerSignSGD() {
    optimizers.register("sign-sgd") { spec in
        SignSGD(learningRate: try spec.float("lr", at: 0, default: 0.01, in: 0...))
    }
}
