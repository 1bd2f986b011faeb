import KilnOptimizers
import KilnRegistry
import KilnTensor

/// A user-written optimizer, registered by the tests like a user would: sign-SGD,
/// θ −= η · sign(∇). Written here (not in the package) to prove the protocol is enough.
final class TestSignSGD: PerParameterOptimizer {
    let storage: OptimizerStorage
    init(learningRate: Float) { storage = OptimizerStorage(learningRate: learningRate) }
    var description: String { "test-sign-sgd(lr=\(learningRate))" }
    func update(_ u: ParameterUpdate) {
        for i in 0..<u.count {
            let g = u.gradient[i]
            u.value[i] -= u.learningRate * (g > 0 ? 1 : g < 0 ? -1 : 0)
        }
    }
}

/// The registered names after the tests' own optimizer is added (registration is idempotent).
let allOptimizerNames: [String] = {
    optimizers.register("test-sign-sgd") { spec in
        TestSignSGD(learningRate: try spec.float("lr", at: 0, default: 0.01, in: 0...))
    }
    return optimizers.names
}()

/// Runs `steps` steps of `optimizer` on a 2-D test function from `start`, through a real
/// two-element parameter; `schedule` (optional) sets the learning rate per step.
func descend(_ function: TestFunction, _ optimizer: any Optimizer, from start: (Float, Float), steps: Int,
             decay: ((Int) -> Float)? = nil) -> (x: Float, y: Float) {
    let p = Parameter(name: "xy", value: Tensor([start.0, start.1]))
    let base = optimizer.learningRate
    for step in 0..<steps {
        if let decay { optimizer.learningRate = base * decay(step) }
        let (gx, gy) = function.gradient(x: p.value[flat: 0], y: p.value[flat: 1])
        p.gradient = Tensor([gx, gy])
        optimizer.step([p])
    }
    return (p.value[flat: 0], p.value[flat: 1])
}
