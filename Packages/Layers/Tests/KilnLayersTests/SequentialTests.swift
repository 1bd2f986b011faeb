@testable import KilnLayers
import KilnTensor
import Testing
import _KilnTestSupport

@Test func modelsFromSpecsSkipTheInputGradient() throws {
    let m = try model("flatten|dense(4)|relu|dense(2)", [1, 2, 3], inputGradient: false)
    #expect(m.needsInputGradient == false)
    #expect(m.layers.map(\.needsInputGradient) == [false, false, true, true])
    let x = randomTensor([5, 1, 2, 3])
    _ = m.forward(x, training: true)
    #expect(m.backward(Tensor.ones([5, 2])).shape == [0])
    #expect(m.parameters[0].gradient.l2Norm() > 0)
    m.needsInputGradient = true
    #expect(m.layers.map(\.needsInputGradient) == [true, true, true, true])
    _ = m.forward(x, training: true)
    #expect(m.backward(Tensor.ones([5, 2])).shape == [5, 1, 2, 3])
}

@Test func backwardOverwritesGradients() throws {
    let m = try model("conv(2, kernel=3)|batchnorm|flatten|dense(3)|layernorm", [1, 4, 4])
    let x = randomTensor([3, 1, 4, 4])
    _ = m.forward(x, training: true)
    _ = m.backward(Tensor.ones([3, 3]) * 0.5 + randomTensor([3, 3]))
    let first = m.parameters.map(\.gradient)
    _ = m.forward(x, training: true)
    _ = m.backward(Tensor.ones([3, 3]) * 0.5 + randomTensor([3, 3]))
    for (a, b) in zip(first, m.parameters.map(\.gradient)) { expectClose(b, a) }
}

@Test func buffersAreReusedAcrossBatchSizesCorrectly() throws {
    // Outputs are kept buffers: a caller holding an earlier output still sees its values
    // (copy-on-write), and a batch-size change gives correctly shaped results.
    let m = try model("dense(4)|relu|dense(3)", [5])
    let a = randomTensor([6, 5], seed: 1), b = randomTensor([2, 5], seed: 2)
    let ya = m.forward(a, training: false)
    let copy = Tensor(shape: ya.shape, scalars: ya.scalars)
    let yb = m.forward(b, training: false)
    #expect(yb.shape == [2, 3])
    #expect(ya == copy)
    #expect(m.forward(a, training: false) == copy)
}

@Test func denseFlattensImageInputs() throws {
    let flat = try model("dense(4)", [12], seed: 2)
    let image = try model("dense(4)", [3, 2, 2], seed: 2)
    let x = randomTensor([2, 3, 2, 2])
    #expect(flat.forward(x.reshaped([2, 12]), training: true) == image.forward(x, training: true))
}

@Test func emptyModelIsAnError() {
    var rng = RandomGenerator(seed: 1)
    #expect(throws: LayerError.self) { try Sequential([]).build(inputShape: [3], name: "", rng: &rng) }
}

/// Absurd sizes are build errors naming the layer, before any memory is asked for (an
/// allocation of 784 x 10^11 weights, or an overflowing product, would otherwise crash).
@Test(arguments: [
    ("dense(100000000000)|dense(10)", [784], "layer 0 dense"),
    ("flatten|dense(3000000000000)", [1, 28, 28], "layer 1 dense"),
    ("flatten|dense(20000)|dense(20000)", [1, 28, 28], "layer 2 dense"),
    ("conv(100000000, kernel=3)|flatten|dense(10)", [1, 28, 28], "layer 0 conv"),
    ("conv(4, kernel=3, padding=60000)|flatten|dense(10)", [1, 28, 28], "layer 0 conv"),
])
func absurdSizesAreBuildErrors(spec: String, input: [Int], names: String) {
    var rng = RandomGenerator(seed: 1)
    do {
        _ = try Sequential.build(spec: spec, inputShape: input, rng: &rng)
        Issue.record("\(spec) was built")
    } catch {
        #expect("\(error)".hasPrefix(names), "\(error)")
        #expect("\(error)".contains("limit"), "\(error)")
    }
}

@Test func extentsOverTheLimitAreSpecErrors() {
    for spec in ["conv(4, kernel=70000)", "conv(4, kernel=3, padding=70000)", "maxpool(70000)", "avgpool(2, stride=70000)"] {
        #expect(throws: (any Error).self, "\(spec)") { _ = try layers.make(spec) }
    }
}

/// `relu|maxpool` runs as `maxpool|relu` inside Sequential; the output and every gradient
/// must be bit-identical to running the layers in spec order, including windows whose
/// maximum is negative, zero or NaN.
@Test func reluBeforeMaxPoolRunsAfterItBitForBit() throws {
    let spec = "conv(3, kernel=3, padding=1)|relu|maxpool(2)|relu|maxpool(2, stride=1)|flatten|dense(4)"
    let swapped = try model(spec, [2, 8, 6])
    let plain = try model(spec, [2, 8, 6])
    #expect(swapped.executionOrder == [0, 2, 1, 4, 3, 5, 6])
    var x = randomTensor([3, 2, 8, 6])
    x[flat: 7] = .nan
    // Spec order by hand on the second model.
    func inOrder(_ input: Tensor) -> Tensor {
        var y = input
        for layer in plain.layers { y = layer.forward(y, training: true) }
        return y
    }
    let y = swapped.forward(x, training: true)
    let expected = inOrder(x)
    #expect(y.shape == expected.shape)
    #expect(zip(y.scalars, expected.scalars).allSatisfy { $0.bitPattern == $1.bitPattern })
    var g = randomTensor(y.shape, seed: 5)
    g[flat: 0] = 0
    let dx = swapped.backward(g)
    var dxPlain = g
    for layer in plain.layers.reversed() { dxPlain = layer.backward(dxPlain) }
    #expect(zip(dx.scalars, dxPlain.scalars).allSatisfy { $0.bitPattern == $1.bitPattern })
    for (a, b) in zip(swapped.parameters, plain.parameters) {
        #expect(zip(a.gradient.scalars, b.gradient.scalars).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(a.name)")
    }
    #expect(try model("relu|avgpool(2)", [1, 4, 4]).executionOrder == [0, 1])
    #expect(try model("tanh|maxpool(2)", [1, 4, 4]).executionOrder == [0, 1])
}

/// A convolution followed by a max pool pools each example as it completes it (im2col
/// and Winograd paths, the 2x2 kernels and the general window): outputs and gradients are the
/// bits of the unfused layers, and the pool still pools an input of its own.
@Test(arguments: [("conv(3, kernel=3, padding=1)|maxpool(2)|flatten|dense(4)", [1, 8, 8]),
                  ("conv(3, kernel=5, padding=2)|maxpool(2)|flatten|dense(4)", [2, 8, 8]),
                  ("conv(8, kernel=3, padding=1)|relu|maxpool(3, stride=2)|flatten|dense(4)", [4, 9, 9]),
                  ("conv(8, kernel=3, padding=1)|relu|maxpool(2)|flatten|dense(4)", [5, 14, 10])])
func convolutionPoolsEachExampleAsItCompletesIt(spec: String, shape: [Int]) throws {
    let fused = try model(spec, shape), plain = try model(spec, shape)
    #expect((fused.layers[0] as! Conv2D).nextPool != nil)
    (plain.layers[0] as! Conv2D).nextPool = nil
    for n in [3, 2] {
        var x = randomTensor([n] + shape, seed: UInt64(n))
        x[flat: 11] = .nan
        let y = fused.forward(x, training: true), expected = plain.forward(x, training: true)
        #expect(zip(y.scalars, expected.scalars).allSatisfy { $0.bitPattern == $1.bitPattern })
        let g = randomTensor(y.shape, seed: 5)
        #expect(fused.backward(g).scalars == plain.backward(g).scalars)
        for (a, b) in zip(fused.parameters, plain.parameters) {
            #expect(zip(a.gradient.scalars, b.gradient.scalars).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(a.name)")
        }
    }
    // Called on its own with another tensor, the pool pools that tensor.
    let conv = fused.layers[0], pool = fused.layers.first { $0 is MaxPool2D }!
    let other = randomTensor([2] + shape, seed: 9)
    let convOutput = conv.forward(other, training: false)
    let shifted = convOutput + 1
    #expect(pool.forward(shifted, training: false) == plain.layers.first { $0 is MaxPool2D }!.forward(shifted, training: false))
}
