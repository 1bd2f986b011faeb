import Foundation
import KilnData
import KilnLayers
import KilnOptimizers
import KilnRegistry
import KilnTensor
import Testing
@testable import KilnTraining

/// `Sequential.save(to:classNames:)` and `Sequential.load(contentsOf:registry:)`: the
/// Training README's "Save and load" (its code is the snippet below, checked by
/// ReadmeSnippetTests) and every field checked on the way in.
@Suite struct SaveLoadTests {
    func temporaryFile(_ name: String = "model.safetensors") throws -> String {
        let dir = NSTemporaryDirectory() + "kiln-saveload-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir + "/" + name
    }

    func trained() throws -> (Sequential, TensorDataset) {
        let data = DataParallelTests().flatData()
        var rng = RandomGenerator(seed: 4)
        let model = try Sequential.build(spec: "dense(16)|batchnorm|relu|dense(3)", inputShape: [8], rng: &rng)
        try Trainer(model: model, optimizer: try optimizers.make("adam(lr=0.01)"), batchSize: 32).fit(train: data, epochs: 2)
        return (model, data)
    }

    @Test func theReadmeRoundTrip() throws {
        let (model, data) = try trained()
        let path = try temporaryFile()
        let images = data.inputs
        // snippet save-and-load
        try model.save(to: path, classNames: data.classNames)          // weights, buffers, spec, input shape, classes
        let loaded = try Sequential.load(contentsOf: path)              // rebuilt through the `layers` registry
        let before = Trainer.predictProbabilities(model: model, inputs: images)
        let after = Trainer.predictProbabilities(model: loaded.model, inputs: images)
        precondition(before == after && loaded.classNames == data.classNames)
        // end snippet
        #expect(before == after)
        #expect(loaded.model.description == model.description && loaded.model.inputShape == [8])
        #expect(loaded.model.buffers.map(\.value) == model.buffers.map(\.value))
        // The file is the same one Trainer.modelFile writes (the CLIs' --save).
        #expect(try SafeTensors(contentsOf: path) == Trainer.modelFile(model: model, inputShape: [8], classNames: data.classNames))
    }

    @Test func aRegistryOfOnesOwnBuildsTheModel() throws {
        let registry = Registry<any Layer>(kind: "layer")
        registerBuiltInLayers(in: registry)
        registry.register("double") { _ in Doubling() }
        var rng = RandomGenerator(seed: 1)
        let model = try Sequential.build(spec: "dense(4)|double|dense(2)", registry: registry, inputShape: [3], rng: &rng)
        let path = try temporaryFile()
        try model.save(to: path, classNames: ["a", "b"])
        #expect(throws: ModelFileError.self) { _ = try Sequential.load(contentsOf: path) }   // the global registry lacks it
        let loaded = try Sequential.load(contentsOf: path, registry: registry)
        let x = Tensor.normal([5, 3], using: &rng)
        #expect(loaded.model.forward(x, training: false) == model.forward(x, training: false))
    }

    @Test func everyFieldIsChecked() throws {
        let (model, data) = try trained()
        let good = model.modelFile(classNames: data.classNames)
        func rejects(_ field: String, _ change: (inout SafeTensors) -> Void) {
            var file = good
            change(&file)
            #expect { _ = try Sequential.load(file, path: "m.safetensors") } throws: { error in
                "\(error)".hasPrefix("m.safetensors: \(field)")
            }
        }
        rejects("kiln.model") { $0.metadata["kiln.model"] = nil }
        rejects("kiln.model") { $0.metadata["kiln.model"] = "dense(16)|bogus" }
        rejects("kiln.format") { $0.metadata["kiln.format"] = "2" }
        rejects("kiln.input_shape") { $0.metadata["kiln.input_shape"] = nil }
        rejects("kiln.input_shape") { $0.metadata["kiln.input_shape"] = "8,x" }
        rejects("kiln.input_shape") { $0.metadata["kiln.input_shape"] = "0" }
        rejects("kiln.input_shape") { $0.metadata["kiln.input_shape"] = "16777216,16777216" }
        rejects("kiln.class_names") { $0.metadata["kiln.class_names"] = nil }
        rejects("kiln.class_names") { $0.metadata["kiln.class_names"] = "[\"a\"]" }
        rejects("kiln.class_names") { $0.metadata["kiln.class_names"] = "not json" }
        rejects("model tensors") { $0.tensors["model/0.dense.weight"] = nil }
        rejects("model tensors") { $0.tensors["model/0.dense.weight"] = Tensor.zeros([3, 3]) }
        rejects("model/9.dense.weight") { $0.tensors["model/9.dense.weight"] = Tensor.zeros([1]) }
        let missing = try temporaryFile("missing.safetensors")
        #expect { _ = try Sequential.load(contentsOf: missing) } throws: { "\($0)".contains("missing.safetensors") }
    }
}

/// y = 2x: a layer the global registry does not know.
final class Doubling: Layer {
    var description: String { "double" }
    var parameters: [Parameter] { [] }
    func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] { inputShape }
    func forward(_ x: Tensor, training: Bool) -> Tensor { x * 2 }
    func backward(_ g: Tensor) -> Tensor { g * 2 }
}
