import KilnLayers
import KilnTensor
import Testing
import _KilnTestSupport

@Test func batchNormTrainingUsesBatchStatisticsAndUpdatesRunningOnes() throws {
    let m = try model("batchnorm", [3])
    let bn = try #require(m.layers[0] as? BatchNorm)
    let x = Tensor(rows: [[1, 10, -2], [3, 20, -2], [5, 60, 4], [7, 30, 2]])
    let y = m.forward(x, training: true)
    // Output columns: mean 0, biased variance ≈ 1 (x̂ with ε = 1e-5).
    for j in 0..<3 {
        let column = (0..<4).map { y[$0, j] }
        let mean = column.reduce(0, +) / 4
        let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
        expectClose(mean, 0, absoluteTolerance: 1e-5)
        expectClose(variance, 1, relativeTolerance: 1e-3)
    }
    // Running statistics: 0.9·initial + 0.1·batch, with the unbiased variance (PyTorch).
    let means: [Float] = [4, 30, 0.5]
    let unbiased: [Float] = [20.0 / 3, 1400.0 / 3, 27.0 / 3]
    for j in 0..<3 {
        expectClose(try #require(bn.runningMean).value[j], 0.1 * means[j], absoluteTolerance: 1e-5)
        expectClose(try #require(bn.runningVariance).value[j], 0.9 + 0.1 * unbiased[j], relativeTolerance: 1e-5)
    }
    #expect(bn.buffers.map(\.name) == ["0.batchnorm.running_mean", "0.batchnorm.running_var"])
    #expect(bn.parameters.allSatisfy { !$0.isRegularized })
}

@Test func batchNormEvaluationUsesRunningStatisticsAndIsPerExample() throws {
    let m = try model("batchnorm(momentum=0.5, eps=0.001)", [2, 2, 2])
    let bn = try #require(m.layers[0] as? BatchNorm)
    for s in 0..<5 { _ = m.forward(randomTensor([6, 2, 2, 2], seed: UInt64(s)) * 3 + 1, training: true) }
    let weight = try #require(bn.weight), bias = try #require(bn.bias)
    weight.value = Tensor([2, 0.5])
    bias.value = Tensor([1, -1])
    let x = randomTensor([3, 2, 2, 2], seed: 42)
    let y = m.forward(x, training: false)
    let rm = try #require(bn.runningMean).value, rv = try #require(bn.runningVariance).value
    for i in 0..<3 { for c in 0..<2 { for h in 0..<2 { for w in 0..<2 {
        let expected = weight.value[c] * (x[i, c, h, w] - rm[c]) / (rv[c] + 0.001).squareRoot() + bias.value[c]
        expectClose(y[i, c, h, w], expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
    } } } }
    // An example's evaluation output does not depend on the rest of its batch.
    let alone = m.forward(x.rows(0..<1), training: false)
    expectClose(alone, y.rows(0..<1))
    // Training mode on the same batch differs (batch statistics).
    #expect(m.forward(x, training: true) != y)
}

@Test func layerNormNormalizesEachExample() throws {
    let m = try model("layernorm", [2, 3])
    let x = randomTensor([4, 2, 3]) * 5 + 2
    let y = m.forward(x, training: true)
    for i in 0..<4 {
        let row = (0..<6).map { y[flat: i * 6 + $0] }
        let mean = row.reduce(0, +) / 6
        expectClose(mean, 0, absoluteTolerance: 1e-5)
        expectClose(row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 6, 1, relativeTolerance: 1e-3)
    }
    #expect(m.forward(x, training: false) == y)
}
