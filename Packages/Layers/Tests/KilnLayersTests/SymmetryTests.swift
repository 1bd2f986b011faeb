import KilnLayers
import KilnTensor
import Testing

/// The course notes' symmetry failure: with every weight equal at the start, all hidden
/// units compute the same value and receive the same gradient, so they stay identical
/// however long one trains; random (He) initialization breaks the tie.
func trainAndMeasureSpread(_ spec: String) throws -> (spread: Float, weightNorm: Float) {
    let m = try model(spec, [6], seed: 4)
    var rng = RandomGenerator(seed: 8)
    let x = Tensor.normal([32, 6], mean: 0, std: 1, using: &rng)
    let labels = (0..<32).map { _ in rng.int(below: 3) }
    let loss = SoftmaxCrossEntropy()
    for _ in 0..<30 {
        let (_, g) = loss.lossAndGradient(logits: m.forward(x, training: true), labels: labels)
        _ = m.backward(g)
        for p in m.parameters { p.value.addScaled(p.gradient, -0.5) }  // plain SGD
    }
    // Hidden unit j is column j of the first weight [6, 8]: the largest difference from column 0.
    let w = m.parameters[0].value
    var spread: Float = 0
    for i in 0..<6 { for j in 1..<8 { spread = max(spread, abs(w[i, j] - w[i, 0])) } }
    return (spread, w.l2Norm())
}

@Test func zeroInitializationKeepsHiddenUnitsIdentical() throws {
    let (spread, norm) = try trainAndMeasureSpread("dense(8, init=zeros)|sigmoid|dense(3, init=zeros)")
    #expect(norm > 1e-3, "the first layer must have learned something")
    #expect(spread == 0)
}

@Test func heInitializationBreaksTheSymmetry() throws {
    let (spread, _) = try trainAndMeasureSpread("dense(8, init=he-normal)|sigmoid|dense(3, init=he-normal)")
    #expect(spread > 0.1)
}
