import KilnOptimizers
import KilnTensor
import Testing
import _KilnTestSupport

/// The relations the doc comments claim between update rules.
@Suite struct EquivalenceTests {
    /// The course notes' look-ahead NAG (θ̂ = θ − μv, g = ∇f(θ̂), v = μv + ηg, θ −= v)
    /// visits, at its look-ahead points φ = θ − μv, exactly the points of `Nesterov`.
    @Test func nesterovEqualsTheNotesLookAheadForm() {
        let f = TestFunction.elongated
        let lr: Float = 0.1, mu: Float = 0.9
        var theta = (x: Float(-7), y: Float(2)), v = (x: Float(0), y: Float(0))
        let p = Parameter(name: "xy", value: Tensor([-7, 2]))
        let nag = Nesterov(learningRate: lr, momentum: mu)
        for step in 1...30 {
            let look = (x: theta.x - mu * v.x, y: theta.y - mu * v.y)
            let g = f.gradient(x: look.x, y: look.y)
            v = (mu * v.x + lr * g.0, mu * v.y + lr * g.1)
            theta = (theta.x - v.x, theta.y - v.y)
            let phi = (x: theta.x - mu * v.x, y: theta.y - mu * v.y)

            let (gx, gy) = f.gradient(x: p.value[flat: 0], y: p.value[flat: 1])
            p.gradient = Tensor([gx, gy])
            nag.step([p])
            #expect(isClose(p.value[flat: 0], phi.x, relativeTolerance: 1e-4, absoluteTolerance: 1e-5), "step \(step)")
            #expect(isClose(p.value[flat: 1], phi.y, relativeTolerance: 1e-4, absoluteTolerance: 1e-5), "step \(step)")
        }
    }

    @Test func nesterovIsSGDWithNesterovMomentum() throws {
        let a = descend(.rosenbrock, Nesterov(learningRate: 0.001, momentum: 0.9), from: (-1.2, 1), steps: 50)
        let b = descend(.rosenbrock, SGD(learningRate: 0.001, momentum: 0.9, nesterov: true), from: (-1.2, 1), steps: 50)
        #expect(a.x == b.x && a.y == b.y)
    }

    /// With a constant rate, the notes' momentum (v = μv + ηg) is torch's SGD momentum (v = ηb).
    @Test func momentumEqualsSGDMomentumAtConstantRate() {
        let a = descend(.quadratic, Momentum(learningRate: 0.05, momentum: 0.9), from: (-7, 2), steps: 40)
        let b = descend(.quadratic, SGD(learningRate: 0.05, momentum: 0.9), from: (-7, 2), steps: 40)
        #expect(isClose(a.x, b.x, relativeTolerance: 1e-4, absoluteTolerance: 1e-5))
        #expect(isClose(a.y, b.y, relativeTolerance: 1e-4, absoluteTolerance: 1e-5))
    }

    /// AdamW with weight_decay 0 is Adam; Adam with weight_decay differs from AdamW's.
    @Test func adamwWithoutDecayIsAdam() {
        let a = descend(.rosenbrock, Adam(learningRate: 0.01), from: (-1.2, 1), steps: 30)
        let b = descend(.rosenbrock, AdamW(learningRate: 0.01, weightDecay: 0), from: (-1.2, 1), steps: 30)
        #expect(a.x == b.x && a.y == b.y)
        let c = descend(.rosenbrock, Adam(learningRate: 0.01, weightDecay: 0.5), from: (-1.2, 1), steps: 30)
        let d = descend(.rosenbrock, AdamW(learningRate: 0.01, weightDecay: 0.5), from: (-1.2, 1), steps: 30)
        #expect(c.x != d.x)
    }
}
