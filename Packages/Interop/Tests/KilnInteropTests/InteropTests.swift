import KilnLayers
import KilnTensor
import KilnTraining
import Testing
@testable import KilnInterop

/// The protobuf writer's wire format, the ONNX exporter's refusals, and the PyTorch key
/// mapping (the end-to-end checks against onnx, onnxruntime and safetensors are in
/// scripts/test-interop.sh).
@Suite struct InteropTests {
    @Test func wireFormat() {
        var w = ProtoWriter()
        w.int(1, 150)                 // 08 96 01
        w.string(2, "hi")             // 12 02 68 69
        w.float(3, 1)                 // 1d 00 00 80 3f
        w.int(4, -1)                  // 20 ff ff ff ff ff ff ff ff ff 01
        #expect(w.bytes == [0x08, 0x96, 0x01, 0x12, 0x02, 0x68, 0x69, 0x1D, 0, 0, 0x80, 0x3F,
                            0x20, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
    }

    @Test func aLayerWithoutAnONNXFormIsNamed() throws {
        layers.register("interop-test-double") { _ in DoubleIt() }
        var rng = RandomGenerator(seed: 1)
        let model = try Sequential.build(spec: "dense(4)|interop-test-double|dense(2)", inputShape: [3], rng: &rng)
        #expect { _ = try ONNXExport.export(model, classNames: ["a", "b"]) } throws: { "\($0)".contains("interop-test-double") }
        #expect { _ = try TorchStateDict.export(model) } throws: { "\($0)".contains("interop-test-double") }
    }

    @Test func torchKeysAndLayouts() throws {
        var rng = RandomGenerator(seed: 2)
        let model = try Sequential.build(spec: "dense(4)|batchnorm|relu|dense(2)", inputShape: [3], rng: &rng)
        let state = try TorchStateDict.export(model)
        #expect(Set(state.tensors.keys) == ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "3.weight", "3.bias"])
        #expect(state.tensors["0.weight"]!.shape == [4, 3] && state.otherTensors["1.num_batches_tracked"]?.dtype == "I64")
        let copy = try Sequential.build(spec: "dense(4)|batchnorm|relu|dense(2)", inputShape: [3], rng: &rng)
        try TorchStateDict.load(state, into: copy)
        #expect((copy.parameters + copy.buffers).map(\.value) == (model.parameters + model.buffers).map(\.value))
        var missing = state
        missing.tensors["3.bias"] = nil
        #expect { try TorchStateDict.load(missing, into: copy) } throws: { "\($0)".hasPrefix("3.bias: missing") }
        // A dense layer on an image needs an explicit flatten in PyTorch.
        let image = try Sequential.build(spec: "conv(2, kernel=3)|dense(3)", inputShape: [1, 5, 5], rng: &rng)
        #expect { _ = try TorchStateDict.export(image) } throws: { "\($0)".contains("put flatten before it") }
    }
}

final class DoubleIt: Layer {
    var description: String { "interop-test-double" }
    var parameters: [Parameter] { [] }
    func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] { inputShape }
    func forward(_ x: Tensor, training: Bool) -> Tensor { x * 2 }
    func backward(_ g: Tensor) -> Tensor { g * 2 }
}
