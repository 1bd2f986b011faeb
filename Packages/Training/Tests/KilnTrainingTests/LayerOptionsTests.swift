import KilnData
import KilnLayers
import KilnOptimizers
import KilnRegularizers
import KilnTensor
import Testing
@testable import KilnTraining

/// Options a spec or flag reaches: a layer's own regularizer, clipping by value.
@Suite struct LayerOptionsTests {
    @Test func aLayerNamesItsOwnRegularizer() throws {
        var rng = RandomGenerator(seed: 1)
        let model = try Sequential.build(spec: "dense(8, regularizer=l2(0.5))|relu|dense(3)", inputShape: [8], rng: &rng)
        #expect(model.description.contains("regularizer=l2(0.5)"))
        let trainer = Trainer(model: model, optimizer: try optimizers.make("sgd(lr=0.01)"), batchSize: 32)
        try trainer.fit(train: DataParallelTests().flatData(), epochs: 1)
        // Only the first layer's weight is penalized: the penalty is that layer's L2 alone.
        let expected = try regularizers.make("l2(0.5)").penalty(model.parameters[0].value)
        #expect(trainer.penalty() == expected && expected > 0)
        // The spec survives a model file (and so replicas, checkpoints and --load).
        let loaded = try Sequential.load(model.modelFile(classNames: ["a", "b", "c"]))
        #expect(loaded.model.description == model.description)
        // An unknown regularizer is an error naming the layer.
        let bad = try Sequential.build(spec: "dense(4, regularizer=l7)|dense(3)", inputShape: [8], rng: &rng)
        #expect { try Trainer(model: bad, optimizer: try optimizers.make("sgd(lr=0.1)")).fit(train: DataParallelTests().flatData(), epochs: 1) }
            throws: { "\($0)".contains("layer 0.dense: regularizer=l7") }
    }

    @Test func clippingByValueBoundsEveryStep() throws {
        var rng = RandomGenerator(seed: 2)
        let model = try Sequential.build(spec: "dense(8)|relu|dense(3)", inputShape: [8], rng: &rng)
        let before = model.parameters.map(\.value)
        let trainer = Trainer(model: model, optimizer: try optimizers.make("sgd(lr=1)"), batchSize: 300)
        trainer.clipValue = 1e-4
        try trainer.fit(train: DataParallelTests().flatData(), epochs: 1)   // one step of the whole set
        for (p, old) in zip(model.parameters, before) {
            let change = (p.value - old).scalars.map(abs).max() ?? 0
            #expect(change <= 1e-4 + 1e-6, "\(p.name) moved by \(change)")  // + the rounding of w − lr·g
        }
    }
}

/// `freeze(layers:)`: frozen layers keep their weights, and checkpoints remember them.
@Suite struct FreezeTests {
    func trainer() throws -> Trainer {
        var rng = RandomGenerator(seed: 3)
        let model = try Sequential.build(spec: "dense(8)|relu|dense(3)", inputShape: [8], rng: &rng)
        return Trainer(model: model, optimizer: try optimizers.make("adam(lr=0.05)"), batchSize: 32)
    }

    @Test func frozenLayersKeepTheirWeights() throws {
        let t = try trainer()
        try t.freeze(layers: [0])
        let before = t.parameters.map(\.value)
        try t.fit(train: DataParallelTests().flatData(), epochs: 2)
        #expect(t.parameters[0].value == before[0] && t.parameters[1].value == before[1], "layer 0 moved")
        #expect(t.parameters[2].value != before[2], "layer 2 did not train")
        // Resuming needs the same frozen layers.
        let file = t.checkpoint(inputShape: [8], classNames: ["a", "b", "c"])
        #expect(file.metadata["kiln.frozen"] == "0.dense")
        let same = try trainer()
        try same.freeze(layers: [0])
        try same.restore(from: file)
        #expect { try trainer().restore(from: file) } throws: { "\($0)".contains("kiln.frozen") }
        #expect { try trainer().freeze(layers: [1]) } throws: { "\($0)".contains("no parameters") }
        #expect { try trainer().freeze(layers: [7]) } throws: { "\($0)".contains("layers 0 to 2") }
    }
}
