import KilnLayers
import KilnTensor
import Testing
import _KilnTestSupport

@Test(arguments: [Float(0.2), 0.5, 0.8])
func dropoutKeepsTheMeanAndScalesKeptUnits(rate: Float) throws {
    let m = try model("dropout(\(rate))", [200])
    let x = Tensor.ones([500, 200])
    let y = m.forward(x, training: true)
    let keep = 1 - rate
    var zeros = 0
    for v in y.scalars {
        if v == 0 { zeros += 1 } else { expectClose(v, 1 / keep) }
    }
    let n = Float(y.count)
    // 100,000 Bernoulli draws: the dropped fraction and the mean are within ~5 standard errors.
    let se = (rate * keep / n).squareRoot()
    #expect(abs(Float(zeros) / n - rate) < 5 * se)
    #expect(abs(y.mean() - 1) < 5 * se / keep)
    // Backward applies the same mask.
    let g = m.layers[0].backward(Tensor.ones(y.shape))
    #expect(g == y)
}

@Test func dropoutIsTheIdentityInEvaluationAndAtRateZero() throws {
    let x = randomTensor([8, 10])
    #expect(try model("dropout(0.5)", [10]).forward(x, training: false) == x)
    #expect(try model("dropout(0)", [10]).forward(x, training: true) == x)
    let m = try model("dropout(0.5)", [10])
    _ = m.forward(x, training: false)
    #expect(m.layers[0].backward(x) == x)
}

@Test func dropoutMasksRepeatUnderTheSameSeed() throws {
    let x = Tensor.ones([4, 50])
    let a = try model("dense(50)|dropout(0.5)", [50], seed: 3)
    let b = try model("dense(50)|dropout(0.5)", [50], seed: 3)
    #expect(a.forward(x, training: true) == b.forward(x, training: true))
    a.reseed(99)
    b.reseed(99)
    let first = a.forward(x, training: true)
    #expect(first == b.forward(x, training: true))
    #expect(a.forward(x, training: true) != first)  // the stream moves on
    a.reseed(99)
    #expect(a.forward(x, training: true) == first)
}

@Test(arguments: ["dropout(1)", "dropout(-0.1)", "dropout(1.5)", "dropout"])
func dropoutRateIsValidated(spec: String) {
    #expect(throws: (any Error).self) { try model(spec, [4]) }
}
