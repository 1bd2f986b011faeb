import KilnLayers
import KilnRegistry
import KilnTensor
import Testing
import _KilnTestSupport

/// Every registered layer, with arguments, and the shape it is built for.
let specimens: [(spec: String, shape: [Int])] = [
    ("dense(7)", [5]),
    ("dense(units=3, init=xavier-uniform, bias_init=constant(0.1), inputs=5)", [5]),
    ("linear(4, init=he-normal(mode=fan-out))", [2, 3]),
    ("conv(4, kernel=3)", [2, 6, 6]),
    ("conv(2, 5, 2, 1, init=fan-in-uniform)", [1, 9, 9]),
    ("maxpool(2)", [3, 4, 4]),
    ("maxpool(3, stride=1)", [1, 5, 5]),
    ("avgpool(2, 1)", [1, 3, 3]),
    ("flatten", [2, 3, 3]),
    ("sigmoid", [4]), ("tanh", [4]), ("relu", [4]), ("softmax", [4]),
    ("leaky-relu", [4]), ("leaky-relu(slope=0.2)", [4]),
    ("elu", [4]), ("elu(0.5)", [4]),
    ("dropout(0.25)", [4]),
    ("batchnorm", [4]), ("batchnorm(momentum=0.01, eps=0.001)", [2, 3, 3]),
    ("layernorm", [4]), ("layernorm(eps=1e-06)", [2, 2]),
    ("dense(3, bias=false)", [4]), ("conv(2, kernel=3, bias=false)", [1, 4, 4]),
    ("global-avgpool", [3, 4, 4]), ("gap", [2, 1, 5]),
    ("residual(dense(4)|relu|dense(4))", [4]),
    ("residual(conv(2, 3, padding=1, bias=false)|batchnorm|dropout(0.5), shortcut=conv(2, 1))", [1, 5, 5]),
]

@Test func everyRegisteredLayerHasASpecimen() {
    // The built-ins alone (other tests register layers of their own in `layers`).
    let builtIns = Registry<any Layer>(kind: "layer")
    registerBuiltInLayers(in: builtIns)
    let covered = Set(specimens.compactMap { builtIns.canonicalName(for: (try? Spec(parsing: $0.spec))?.name ?? "") })
    #expect(covered == Set(builtIns.names))
}

@Test(arguments: specimens.map(\.spec))
func specRoundTrips(_ spec: String) throws {
    let shape = specimens.first { $0.spec == spec }!.shape
    let layer = try layers.make(spec)
    let again = try layers.make(layer.description)
    #expect(again.description == layer.description)
    // Same spec, same seed: same parameters and outputs.
    let a = try model(layer.description, shape, seed: 5)
    let b = try model(spec, shape, seed: 5)
    #expect(a.parameters.map(\.value) == b.parameters.map(\.value))
    let x = randomTensor([2] + shape)
    #expect(a.forward(x, training: false) == b.forward(x, training: false))
}

@Test func modelDescriptionRebuildsTheSameArchitecture() throws {
    let spec = "conv(8, kernel=3, padding=1)|batchnorm|relu|maxpool(2)|flatten|dense(16)|dropout(0.5)|dense(10)"
    let m = try model(spec, [1, 8, 8])
    let again = try model(m.description, [1, 8, 8])
    #expect(again.description == m.description)
    #expect(again.parameters.map(\.name) == m.parameters.map(\.name))
    #expect(m.parameters.map(\.name) == ["0.conv.weight", "0.conv.bias", "1.batchnorm.weight", "1.batchnorm.bias",
                                         "5.dense.weight", "5.dense.bias", "7.dense.weight", "7.dense.bias"])
    #expect(m.parameters.map(\.shape) == [[8, 1, 3, 3], [8], [8], [8], [128, 16], [16], [16, 10], [10]])
    #expect(m.outputShape == [10])
    #expect(m.description.hasPrefix("conv(8, kernel=3, stride=1, padding=1, init=he-normal, bias_init=zeros)|batchnorm("))
}

@Test func unknownLayerListsTheValidNames() {
    do {
        _ = try model("dense(10)|rellu|dense(2)", [4])
        Issue.record("expected an error")
    } catch {
        let text = "\(error)"
        #expect(text.contains("unknown layer 'rellu'"))
        #expect(text.contains("did you mean 'relu'"))
        for name in ["dense", "conv", "maxpool", "batchnorm", "dropout"] { #expect(text.contains(name)) }
    }
}

@Test(arguments: [
    ("dense(0)", "units"), ("dense(-3)", "units"), ("dense(2.5)", "integer"), ("dense", "required"),
    ("dense(4, init=nope)", "unknown initializer 'nope'"), ("dense(4, activation=relu)", "unknown key"),
    ("conv(8)", "kernel"), ("conv(8, kernel=3, stride=0)", "stride"), ("conv(8, kernel=3, padding=-1)", "padding"),
    ("maxpool(0)", "size"), ("maxpool(2, foo=1)", "unknown key"), ("relu(3)", "unexpected positional"),
    ("leaky-relu(-0.1)", "slope"), ("elu(alpha=0)", "alpha"), ("batchnorm(momentum=2)", "momentum"),
    ("batchnorm(eps=0)", "eps"), ("layernorm(eps=-1)", "eps"), ("dense(4)|", "layer"),
])
func badArgumentsAreOneLineErrors(spec: String, mentions: String) {
    do {
        _ = try model(spec, [4])
        Issue.record("expected an error for \(spec)")
    } catch {
        let text = "\(error)"
        #expect(text.contains(mentions), "\(text)")
        #expect(!text.contains("\n"))
    }
}

@Test(arguments: [
    ("conv(8, kernel=3)", [784], "layer 0 conv(8, kernel=3, stride=1, padding=0, init=he-normal, bias_init=zeros): expects a CxHxW input, got 784 (image data must keep its channel and spatial axes, e.g. 1x28x28)"),
    ("conv(8, kernel=3)|maxpool(2)|maxpool(2)|maxpool(2)", [1, 8, 8], "layer 3 maxpool(2, stride=2): input 8x1x1 (CxHxW) is smaller than the 2x2 pool"),
    ("conv(4, kernel=5)", [1, 3, 3], "layer 0 conv(4, kernel=5, stride=1, padding=0, init=he-normal, bias_init=zeros): input 1x3x3 (CxHxW) is smaller than the 5x5 kernel with padding 0"),
    ("dense(4, inputs=10)", [784], "layer 0 dense(4, init=he-normal, bias_init=zeros, inputs=10): declared 10 inputs but the input 784 has 784 features"),
    ("flatten|batchnorm|avgpool(2)", [2, 3, 3], "layer 2 avgpool(2, stride=2): expects a CxHxW input, got 18"),
    ("dense(4)", [0], "layer model: input shape [0] must have positive dimensions"),
])
func shapesThatCannotFitNameTheLayer(spec: String, shape: [Int], message: String) {
    do {
        _ = try model(spec, shape)
        Issue.record("expected an error for \(spec) on \(shape)")
    } catch {
        #expect("\(error)" == message)
    }
}

@Test func batchNormRejectsRankTwoExamples() {
    #expect(throws: LayerError.self) { try model("batchnorm", [3, 4]) }
}
