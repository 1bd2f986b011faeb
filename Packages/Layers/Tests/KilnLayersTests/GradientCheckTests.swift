import KilnLayers
import KilnTensor
import Testing

/// One gradient-check case: a model spec, its per-example input shape, how the input is
/// drawn, the mode and the finite-difference step.
struct CheckCase: CustomTestStringConvertible, Sendable {
    enum Input: Sendable { case normal, awayFromZero, distinct }
    var spec: String
    var shape: [Int]
    var input: Input = .normal
    var training = true
    var step: Float = 1e-2
    /// Single layers measure ~1e-6 (float32 noise); whole networks ~1e-4 (curvature
    /// over the step), so the bound is per case, well below the 1e-2 pass threshold.
    var bound = 1e-4
    var testDescription: String { "\(spec) on \(shape)\(training ? "" : " (eval)")" }
}

let layerCases: [CheckCase] = [
    CheckCase(spec: "dense(5)", shape: [4]),
    CheckCase(spec: "dense(3, init=xavier-normal, bias_init=normal(0, 0.5))", shape: [2, 3, 3]),
    CheckCase(spec: "conv(3, kernel=3)", shape: [2, 5, 5]),
    CheckCase(spec: "conv(2, kernel=3, padding=1)", shape: [2, 5, 6]),
    CheckCase(spec: "conv(2, kernel=5, padding=2)", shape: [1, 6, 5]),
    CheckCase(spec: "conv(2, kernel=3, stride=2, padding=1)", shape: [2, 6, 6]),
    CheckCase(spec: "conv(2, kernel=2, stride=1, padding=2)", shape: [1, 4, 5]),
    CheckCase(spec: "conv(2, kernel=3, stride=3, padding=1)", shape: [2, 7, 5]),
    CheckCase(spec: "maxpool(2)", shape: [2, 4, 4], input: .distinct),
    CheckCase(spec: "maxpool(2)", shape: [1, 4, 20], input: .distinct),
    CheckCase(spec: "maxpool(2)", shape: [1, 2, 10], input: .distinct),
    CheckCase(spec: "maxpool(3, stride=2)", shape: [1, 7, 7], input: .distinct),
    CheckCase(spec: "avgpool(2)", shape: [2, 4, 4]),
    CheckCase(spec: "avgpool(3, stride=1)", shape: [1, 5, 4]),
    CheckCase(spec: "flatten|dense(3)", shape: [2, 2, 2]),
    CheckCase(spec: "sigmoid", shape: [6]),
    CheckCase(spec: "tanh", shape: [6]),
    CheckCase(spec: "relu", shape: [6], input: .awayFromZero),
    CheckCase(spec: "leaky-relu(0.1)", shape: [6], input: .awayFromZero),
    CheckCase(spec: "elu(alpha=0.5)", shape: [6], input: .awayFromZero),
    CheckCase(spec: "softmax", shape: [5]),
    CheckCase(spec: "dropout(0.3)", shape: [8]),
    CheckCase(spec: "batchnorm", shape: [5]),
    CheckCase(spec: "batchnorm", shape: [5], training: false),
    CheckCase(spec: "batchnorm", shape: [3, 3, 3]),
    CheckCase(spec: "batchnorm", shape: [3, 3, 3], training: false),
    CheckCase(spec: "layernorm", shape: [6]),
    CheckCase(spec: "layernorm", shape: [2, 3, 3]),
    CheckCase(spec: "dense(6)|tanh|batchnorm|dense(4)|layernorm|sigmoid|dense(3)", shape: [5], bound: 2e-3),
    CheckCase(spec: "conv(3, kernel=3, padding=1)|elu|batchnorm|avgpool(2)|flatten|dense(4)", shape: [2, 4, 4], bound: 2e-3),
    CheckCase(spec: "dense(5, bias=false)", shape: [4]),
    CheckCase(spec: "conv(2, kernel=3, padding=1, bias=false)", shape: [2, 5, 5]),
    // Winograd F(2x2, 3x3) (4 or more channels), odd sizes with edge tiles, then im2col.
    CheckCase(spec: "conv(5, kernel=3, padding=1)|tanh|conv(2, kernel=3, padding=1, bias=false)", shape: [4, 5, 3]),
    CheckCase(spec: "global-avgpool", shape: [3, 4, 5]),
    CheckCase(spec: "residual(dense(4)|tanh|dense(4))", shape: [4]),
    CheckCase(spec: "residual(conv(2, kernel=3, padding=1)|tanh|conv(2, kernel=3, padding=1))", shape: [2, 4, 4]),
    CheckCase(spec: "residual(conv(3, kernel=3, stride=2, padding=1, bias=false)|batchnorm|tanh|conv(3, kernel=3, padding=1), shortcut=conv(3, kernel=1, stride=2, bias=false)|batchnorm)|global-avgpool|dense(3)",
              shape: [2, 5, 5], bound: 2e-3),
    CheckCase(spec: "residual(conv(3, kernel=3, stride=2, padding=1, bias=false)|batchnorm|tanh|conv(3, kernel=3, padding=1), shortcut=conv(3, kernel=1, stride=2, bias=false)|batchnorm)|global-avgpool|dense(3)",
              shape: [2, 5, 5], training: false, bound: 2e-3),
    CheckCase(spec: "residual(residual(dense(3)|tanh)|dense(3))|sigmoid", shape: [3]),
]

@Test(arguments: layerCases)
func layerGradientsMatchFiniteDifferences(_ c: CheckCase) throws {
    let m = try model(c.spec, c.shape)
    let batch = 3
    let x: Tensor
    switch c.input {
    case .normal: x = randomTensor([batch] + c.shape)
    case .awayFromZero: x = awayFromZero([batch] + c.shape)
    case .distinct: x = distinctValues([batch] + c.shape)
    }
    if !c.training {
        // Give BatchNorm non-trivial running statistics first.
        for s in 0..<3 { _ = m.forward(randomTensor([4] + c.shape, seed: 100 + UInt64(s)) * 2 + 0.5, training: true) }
    }
    let check = GradientCheck(step: c.step, training: c.training)
    let rows = check.run(m, input: x, loss: projectionLoss())
    #expect(rows.count == m.parameters.count + 1)
    for row in rows {
        #expect(row.delta < c.bound, "\(row.name): \(row)")
        #expect(row.analyticNorm > 0, "\(row.name): zero gradient checks nothing")
    }
}

/// The classic network of the example, through softmax cross-entropy (ReLU kinks: small step).
@Test func classifierGradientCheckPasses() throws {
    let m = try model("conv(3, kernel=3, padding=1)|relu|maxpool(2)|flatten|dense(8)|tanh|dense(4)", [1, 6, 6])
    let x = distinctValues([4, 1, 6, 6], spacing: 0.02)
    let rows = GradientCheck(step: 1e-3).run(m, input: x, labels: [0, 1, 2, 3])
    for row in rows { #expect(row.passed, "\(row)") }
}

/// A layer with a deliberately wrong backward (missing factor 2 of d(x²)/dx) must fail.
@Test func gradientCheckCatchesAWrongBackward() throws {
    final class BrokenSquare: Layer {
        var last = Tensor.zeros([0])
        var description: String { "broken-square" }
        var parameters: [Parameter] { [] }
        func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] { inputShape }
        func forward(_ input: Tensor, training: Bool) -> Tensor { last = input; return input * input }
        func backward(_ g: Tensor) -> Tensor { g * last }  // should be 2·x·g
    }
    var rng = RandomGenerator(seed: 1)
    let m = Sequential([Dense(units: 4), BrokenSquare(), Dense(units: 2)])
    _ = try m.build(inputShape: [3], name: "", rng: &rng)
    let rows = GradientCheck().run(m, input: randomTensor([2, 3]), loss: projectionLoss())
    let first = try #require(rows.first { $0.name == "0.dense.weight" })
    #expect(!first.passed && first.delta > 0.1, "\(first)")
    #expect(rows.first { $0.name == "2.dense.weight" }?.passed == true)
}

@Test func gradientCheckRestoresBuffersAndGradients() throws {
    let m = try model("dense(4)|batchnorm|dense(2)", [3], inputGradient: false)
    let before = m.buffers.map(\.value)
    let x = randomTensor([5, 3])
    _ = GradientCheck().run(m, input: x, loss: projectionLoss())
    #expect(m.buffers.map(\.value) == before)
    #expect(m.needsInputGradient == false)
    let table = GradientCheck.table(GradientCheck().run(m, input: x, loss: projectionLoss()))
    #expect(table.contains("1.batchnorm.weight") && table.contains("pass") && table.contains("input"))
}
