import KilnOptimizers
import KilnRegistry
import KilnTensor
import Testing

// The code of the KilnOptimizers documentation article "Write your own optimizer"
// (KilnOptimizers.docc/WritingAnOptimizer.md), compiled and run here; ReadmeSnippetTests
// checks that the article shows these lines.

// snippet signum
/// `signum(lr=0.01, beta=0.9)`: sign of the momentum.
///
///     m = β m + (1 − β) g        (slot "momentum", starts at 0)
///     θ = θ − η · sign(m)
///
/// Every step moves each weight by exactly η (or 0), whatever the gradient's scale.
final class Signum: PerParameterOptimizer {
    let storage: OptimizerStorage
    let beta: Float

    init(learningRate: Float = 0.01, beta: Float = 0.9) {
        self.beta = beta
        storage = OptimizerStorage(learningRate: learningRate, slots: [.init("momentum")])
    }

    var description: String { "signum(lr=\(learningRate), beta=\(beta))" }
    var isElementwise: Bool { true }          // element i reads and writes only element i

    func update(_ u: ParameterUpdate) {
        let m = u.slot(0)
        for i in 0..<u.count {
            m[i] = beta * m[i] + (1 - beta) * u.gradient[i]
            u.value[i] -= u.learningRate * (m[i] > 0 ? 1 : m[i] < 0 ? -1 : 0)
        }
    }
}
// end snippet

@Suite struct OptimizerArticleTests {
    @Test func writeYourOwnOptimizer() throws {
        // snippet signum-use
        let registry = Registry<any Optimizer>(kind: "optimizer")
        registerBuiltInOptimizers(in: registry)                 // or register in the global `optimizers`
        registry.register("signum") { spec in
            Signum(learningRate: try spec.float("lr", at: 0, default: 0.01, in: 0...),
                   beta: try spec.float("beta", at: 1, default: 0.9, in: 0...0.999))
        }
        #expect(checkOptimizerConformance(registry: registry) { Signum(learningRate: 0.1) } == [])

        let optimizer = try registry.make("signum(lr=0.5)")
        let w = Parameter(name: "w", value: Tensor([3, -2]))
        w.gradient = Tensor([50, -0.001])                        // any scale: the step is ±η
        optimizer.step([w])
        #expect(w.value == Tensor([2.5, -1.5]))
        // end snippet
        #expect(optimizer.description == "signum(lr=0.5, beta=0.9)")
    }
}
