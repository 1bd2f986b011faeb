import KilnLayers
import KilnRegistry
import KilnTensor
import Testing

/// `checkLayerConformance` passes every built-in layer and catches the mistakes a layer of
/// one's own makes.
@Suite struct LayerConformanceTests {
    static let cases: [(spec: String, shape: [Int])] = [
        ("dense(4)", [5]), ("conv(3, kernel=3, padding=1)", [2, 5, 5]), ("conv(2, kernel=2, stride=2)", [1, 4, 4]),
        ("maxpool(2)", [2, 4, 4]), ("avgpool(2)", [2, 4, 4]), ("flatten", [2, 3, 3]), ("sigmoid", [6]), ("tanh", [6]),
        ("relu", [6]), ("softmax", [6]), ("leaky-relu(slope=0.1)", [6]), ("elu", [6]), ("dropout(0.3)", [6]),
        ("batchnorm", [4]), ("batchnorm", [2, 3, 3]), ("layernorm", [5]),
    ]

    @Test(arguments: cases.indices)
    func everyBuiltInLayerConforms(_ i: Int) {
        let (spec, shape) = Self.cases[i]
        #expect(checkLayerConformance({ try layers.make(spec) }, inputShape: shape, registry: layers) == [])
    }

    @Test func aGradientThatAccumulatesIsCaught() {
        let failures = checkLayerConformance({ Accumulating() }, inputShape: [3])
        #expect(failures.contains { $0.contains("must overwrite") })
    }

    @Test func aWrongGradientIsCaught() {
        let failures = checkLayerConformance({ WrongSign() }, inputShape: [3])
        #expect(failures.contains { $0.contains("gradient of input is off") })
    }

    @Test func anUnregisteredSpecIsCaught() {
        let failures = checkLayerConformance({ WrongSign() }, inputShape: [3], registry: layers)
        #expect(failures.contains { $0.contains("the registry cannot make") })
    }
}

/// y = x·s with one parameter s, whose backward adds to the gradient instead of setting it.
final class Accumulating: Layer {
    var scale = Parameter(name: "", value: Tensor(shape: [1], scalars: [1.5]))
    var input = emptyGradient
    var description: String { "accumulating" }
    var parameters: [Parameter] { [scale] }
    func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] {
        scale = Parameter(name: name + ".scale", value: Tensor(shape: [1], scalars: [1.5]))
        return inputShape
    }
    func forward(_ x: Tensor, training: Bool) -> Tensor { input = x; return x * scale.value[flat: 0] }
    func backward(_ g: Tensor) -> Tensor {
        scale.gradient[flat: 0] += (g * input).sum()
        return g * scale.value[flat: 0]
    }
}

/// y = 2x whose backward forgets the sign.
final class WrongSign: Layer {
    var description: String { "wrong-sign" }
    var parameters: [Parameter] { [] }
    func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] { inputShape }
    func forward(_ x: Tensor, training: Bool) -> Tensor { x * 2 }
    func backward(_ g: Tensor) -> Tensor { g * -2 }
}
