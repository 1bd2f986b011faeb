import KilnLayers
import KilnTensor
import Testing
import _KilnTestSupport

/// Central differences of a Double-valued loss (each element moved by ±h).
func lossGradient(_ f: (Tensor) -> Double, at x: Tensor, step h: Float = 1e-2) -> Tensor {
    var probe = x
    var g = Tensor.zeros(x.shape)
    for i in 0..<x.count {
        let original = probe[flat: i]
        let plus = original + h, minus = original - h
        probe[flat: i] = plus
        let a = f(probe)
        probe[flat: i] = minus
        let b = f(probe)
        probe[flat: i] = original
        g[flat: i] = Float((a - b) / (Double(plus) - Double(minus)))
    }
    return g
}

@Test func softmaxCrossEntropyGradientChecks() {
    let logits = randomTensor([4, 5]) * 3
    let labels = [0, 4, 2, 2]
    let loss = SoftmaxCrossEntropy()
    let analytic = loss.lossAndGradient(logits: logits, labels: labels).gradient
    let numeric = lossGradient({ loss.lossAndGradientInDouble(logits: $0, labels: labels).loss }, at: logits)
    #expect(gradientCheckDelta(numeric: numeric, analytic: analytic) < 1e-4)
}

@Test func softmaxCrossEntropyValues() {
    let loss = SoftmaxCrossEntropy()
    // Uniform logits: log K.
    expectClose(loss.lossAndGradient(logits: .zeros([2, 10]), labels: [3, 7]).loss, Float(2.302585093))
    // Huge logits stay finite (log-sum-exp): the right class far ahead gives ~0, far behind ~1000.
    let big = Tensor(rows: [[1000, 0, -1000], [0, 1000, 0]])
    let (l, g) = loss.lossAndGradient(logits: big, labels: [0, 0])
    expectClose(l, 500, relativeTolerance: 1e-6)
    #expect(g.isFinite)
    // Gradient rows sum to zero; probabilities sum to one.
    let p = loss.probabilities(randomTensor([3, 4]))
    for r in 0..<3 { expectClose((0..<4).map { p[r, $0] }.reduce(0, +), 1) }
    for r in 0..<2 { expectClose((0..<3).map { g[r, $0] }.reduce(0, +), 0, absoluteTolerance: 1e-6) }
}

@Test func meanSquaredErrorValuesAndGradient() {
    let loss = MeanSquaredError()
    let o = Tensor(rows: [[1, 2], [3, 4]]), t = Tensor(rows: [[0, 2], [5, 4]])
    let (l, g) = loss.lossAndGradient(output: o, target: t)
    expectClose(l, (1 + 0 + 4 + 0) / 4)
    expectClose(g, Tensor(rows: [[0.5, 0], [-1, 0]]))
    let x = randomTensor([3, 3]), y = randomTensor([3, 3], seed: 2)
    let numeric = lossGradient({ loss.lossAndGradientInDouble(output: $0, target: y).loss }, at: x)
    #expect(gradientCheckDelta(numeric: numeric, analytic: loss.lossAndGradient(output: x, target: y).gradient) < 1e-4)
}

@Test func binaryCrossEntropyWithLogitsValuesAndGradient() {
    let loss = BinaryCrossEntropyWithLogits()
    expectClose(loss.lossAndGradient(output: .zeros([2, 2]), target: .ones([2, 2])).loss, Float(0.693147181))
    // Large logits: the stable form stays finite and exact (ℓ(100, 0) = 100, ℓ(-100, 0) ≈ 0).
    let (l, g) = loss.lossAndGradient(output: Tensor([100, -100]), target: Tensor([0, 0]))
    expectClose(l, 50, relativeTolerance: 1e-6)
    expectClose(g, Tensor([0.5, 0]), absoluteTolerance: 1e-6)
    let x = randomTensor([3, 4]) * 2
    var rng = RandomGenerator(seed: 5)
    let t = Tensor.uniform([3, 4], using: &rng)
    let numeric = lossGradient({ loss.lossAndGradientInDouble(output: $0, target: t).loss }, at: x)
    #expect(gradientCheckDelta(numeric: numeric, analytic: loss.lossAndGradient(output: x, target: t).gradient) < 1e-4)
}

