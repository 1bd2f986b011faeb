import KilnLayers
import KilnRegistry
import KilnTensor
import Testing

@Suite struct ResidualTests {
    @Test func identityBlockAddsTheInput() throws {
        // body = relu: y = relu(x) + x, and dL/dx = g·[x > 0] + g.
        let m = try model("residual(relu)", [4])
        let x = Tensor(shape: [1, 4], scalars: [-1, 2, -3, 4])
        #expect(m.forward(x, training: true).scalars == [-1, 4, -3, 8])
        let dx = m.backward(Tensor(shape: [1, 4], scalars: [1, 1, 1, 1]))
        #expect(dx.scalars == [1, 2, 1, 2])
    }

    @Test func specsRoundTripAndNameNestedParameters() throws {
        let spec = "conv(4, kernel=3, padding=1)|residual(conv(4, kernel=3, padding=1, bias=false)|batchnorm|relu|conv(4, kernel=3, padding=1)|batchnorm)|relu"
            + "|residual(conv(8, kernel=3, stride=2, padding=1)|batchnorm, shortcut=conv(8, kernel=1, stride=2, bias=false)|batchnorm)|global-avgpool|dense(3)"
        let m = try model(spec, [1, 8, 8])
        #expect(m.outputShape == [3])
        let again = try model(m.description, [1, 8, 8])
        #expect(again.description == m.description)
        #expect(again.parameters.map(\.name) == m.parameters.map(\.name))
        #expect(again.buffers.map(\.name) == m.buffers.map(\.name))
        let names = m.parameters.map(\.name)
        #expect(names.contains("1.residual.body.0.conv.weight"))
        #expect(!names.contains("1.residual.body.0.conv.bias"))        // bias=false
        #expect(names.contains("3.residual.shortcut.0.conv.weight"))
        #expect(m.buffers.map(\.name).contains("3.residual.shortcut.1.batchnorm.running_mean"))
        // The same seed gives the same weights (the nested layers draw from the model's rng).
        for (a, b) in zip(m.parameters, again.parameters) { #expect(a.value == b.value) }
    }

    @Test func shapeMismatchNamesTheBlockAndBothShapes() throws {
        do {
            _ = try model("residual(conv(8, kernel=3, stride=2, padding=1))", [4, 8, 8])
            Issue.record("built a block whose branches disagree")
        } catch let error as LayerError {
            let text = "\(error)"
            #expect(text.hasPrefix("layer 0 residual(conv(8"), "\(text)")
            #expect(text.contains("8x4x4") && text.contains("4x8x8"), "\(text)")
        }
        do {
            _ = try model("residual(conv(8, kernel=3, padding=1), shortcut=conv(8, kernel=1, stride=2))", [4, 8, 8])
            Issue.record("built a block whose shortcut does not fit")
        } catch let error as LayerError {
            #expect("\(error)".contains("8x8x8") && "\(error)".contains("8x4x4"), "\(error)")
        }
        // An error inside a branch names the branch and the layer's place in it.
        do {
            _ = try model("residual(relu|maxpool(9))", [1, 4, 4])
            Issue.record("built a pool larger than its input")
        } catch let error as LayerError {
            #expect("\(error)".contains("body layer 1 maxpool(9"), "\(error)")
        }
    }

    @Test(arguments: [
        ("residual()", "body"),
        ("residual(3)", "expected a layer pipeline"),
        ("residual(relu|)", "column 15"),
        ("residual(relu, shortcut=)", "column 25"),
        ("residual(relu|nope)", "unknown layer 'nope'"),
        ("residual(relu, shortcut=relu|\"x\")", "column 30"),
    ])
    func malformedBlocksAreErrors(spec: String, expected: String) {
        var rng = RandomGenerator(seed: 1)
        #expect(throws: (any Error).self) { _ = try Sequential.build(spec: spec, inputShape: [4], rng: &rng) }
        do { _ = try Sequential.build(spec: spec, inputShape: [4], rng: &rng) } catch {
            #expect("\(error)".contains(expected), "\(spec): \(error)")
        }
    }

    @Test func blocksUseTheRegistryTheyAreMadeThrough() throws {
        let registry = Registry<any Layer>(kind: "layer")
        registerBuiltInLayers(in: registry)
        registry.register("double") { _ in Doubler() }
        var rng = RandomGenerator(seed: 1)
        let m = try Sequential.build(spec: "residual(double)", registry: registry, inputShape: [2], rng: &rng)
        #expect(m.forward(Tensor(shape: [1, 2], scalars: [1, 2]), training: false).scalars == [3, 6])
    }

    @Test func allLayersWalksNestedBlocks() throws {
        let m = try model("residual(dense(2, regularizer=l2(0.1))|residual(relu))|dense(2)", [2])
        #expect(m.allLayers.map { String($0.description.prefix(5)) } == ["resid", "resid", "dense", "resid", "relu", "dense"])
    }
}

/// y = 2x, a user's layer for the registry test.
final class Doubler: Layer {
    var description: String { "double" }
    var parameters: [Parameter] { [] }
    func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] { inputShape }
    func forward(_ input: Tensor, training: Bool) -> Tensor { input * 2 }
    func backward(_ outputGradient: Tensor) -> Tensor { outputGradient * 2 }
}
