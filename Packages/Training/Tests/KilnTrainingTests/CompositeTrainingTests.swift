import Testing
import KilnData
import KilnLayers
import KilnOptimizers
import KilnRegistry
import KilnRegularizers
import KilnTensor
@testable import KilnTraining

/// Residual blocks, losses, per-step schedules and recipes in the trainer.
@Suite(.serialized) struct CompositeTrainingTests {
    func imageData(count: Int = 120, seed: UInt64 = 2) -> TensorDataset { quadrantImages(count: count, seed: seed) }

    static let resnet = "conv(4, kernel=3, padding=1, bias=false)|batchnorm|relu"
        + "|residual(conv(4, kernel=3, padding=1, bias=false)|batchnorm|relu|dropout(0.2)|conv(4, kernel=3, padding=1, regularizer=l2(0.01))|batchnorm)|relu"
        + "|residual(conv(8, kernel=3, stride=2, padding=1)|batchnorm|relu, shortcut=conv(8, kernel=1, stride=2, bias=false)|batchnorm)|relu"
        + "|global-avgpool|dense(4)"

    func trainer(_ spec: String = resnet, threads: Int = 1, schedule: String? = "one-cycle",
                 loss: String = "softmax-ce(label_smoothing=0.1)") throws -> Trainer {
        var rng = RandomGenerator(seed: 3)
        let model = try Sequential.build(spec: spec, inputShape: [1, 8, 8], rng: &rng)
        let trainer = Trainer(model: model, optimizer: try optimizers.make("adamw(lr=0.01)"), batchSize: 32, seed: 3)
        trainer.threads = threads
        trainer.shards = 4
        trainer.schedule = try schedule.map { try schedules.make($0) }
        trainer.loss = try losses.make(loss)
        return trainer
    }

    @Test func residualNetworkIsBitIdenticalForAnyThreadCountAndLearns() throws {
        let data = imageData()
        let one = try trainer(threads: 1)
        try one.fit(train: data, epochs: 4)
        #expect(one.history.last!.trainLoss < one.history.first!.trainLoss)
        // The conv inside the first block names its own regularizer; the trainer found it.
        #expect(one.layerRegularizers.keys.contains("3.residual.body.4.conv"))
        for threads in [2, 3] {
            let other = try trainer(threads: threads)
            try other.fit(train: data, epochs: 4)
            for (a, b) in zip(one.modelState, other.modelState) { #expect(a.value == b.value, "threads \(threads): \(a.name)") }
            #expect(one.history.map(\.trainLoss) == other.history.map(\.trainLoss))
        }
    }

    @Test func perStepScheduleSetsTheRateEveryStepAndResumesBitIdentical() throws {
        let data = imageData()   // 120 examples, batch 32: 4 steps per epoch
        let full = try trainer()
        var rates: [Float] = []
        final class RateProbe: TrainingCallback {
            let trainer: Trainer, record: (Float) -> Void
            init(_ trainer: Trainer, _ record: @escaping (Float) -> Void) { self.trainer = trainer; self.record = record }
            func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws {}
            func batchDidEnd(epoch: Int, batch: Int, batches: Int, loss: Float, samplesPerSecond: Double) { record(trainer.optimizer.learningRate) }
        }
        full.callbacks = [RateProbe(full) { rates.append($0) }]
        try full.fit(train: data, epochs: 4)
        let expected = OneCycleSchedule()
        expected.begin(stepsPerEpoch: 4, epochs: 4)
        #expect(rates == (0..<16).map { expected.learningRate(step: $0, stepsPerEpoch: 4, base: 0.01) })
        #expect(Set(rates).count == 16)
        #expect(full.history.map(\.learningRate) == [0, 4, 8, 12].map { Double(rates[$0]) })

        // Interrupted after epoch 2 of 4, then resumed: the same weights as the whole run.
        struct Stop: Error {}
        let first = try trainer()
        var bytes: [UInt8] = []
        first.callbacks = [EpochObserver { record in
            if record.epoch == 2 { bytes = first.checkpoint(inputShape: [1, 8, 8], classNames: data.classNames).encoded(); throw Stop() }
        }]
        #expect(throws: Stop.self) { try first.fit(train: data, epochs: 4) }
        let resumed = try trainer()
        try resumed.restore(from: try SafeTensors(bytes: bytes))
        try resumed.fit(train: data, epochs: 4)
        for (a, b) in zip(full.modelState, resumed.modelState) { #expect(a.value == b.value, "\(a.name)") }
    }

    @Test func theLossIsPartOfTheCheckpoint() throws {
        let data = imageData(count: 40)
        let a = try trainer("flatten|dense(4)", schedule: nil, loss: "mse")
        try a.fit(train: data, epochs: 1)
        let file = a.checkpoint(inputShape: [1, 8, 8], classNames: data.classNames)
        #expect(file.metadata["kiln.loss"] == "mse")
        let b = try trainer("flatten|dense(4)", schedule: nil, loss: "bce")
        #expect(throws: TrainingError.self) { try b.restore(from: file) }
        do { try b.restore(from: file) } catch { #expect("\(error)".contains("--loss mse"), "\(error)") }
        #expect(b.completedEpochs == 0)
    }

    @Test(arguments: ["mse", "bce", "softmax-ce(label_smoothing=0.2)"])
    func everyLossTrains(loss: String) throws {
        let data = imageData()
        let t = try trainer("flatten|dense(16)|relu|dense(4)", schedule: nil, loss: loss)
        try t.fit(train: data, epochs: 6)
        #expect(t.evaluate(data).accuracy > 0.5, "\(loss)")
    }

    @Test func freezingABlockFreezesEveryParameterInside() throws {
        let t = try trainer()
        try t.freeze(layers: [3])
        #expect(t.frozenLayers == ["3.residual"])
        let frozen = t.parameters.filter { $0.name.hasPrefix("3.residual.") }
        // The first block's body: conv weight (bias=false), batchnorm weight and bias, conv
        // weight and bias, batchnorm weight and bias.
        #expect(frozen.count == 7)
        let trainable = Set(t.trainableParameters.map(\.name))
        #expect(frozen.allSatisfy { !trainable.contains($0.name) })
        let before = frozen.map(\.value)
        try t.fit(train: imageData(), epochs: 1)
        #expect(frozen.map(\.value) == before)
    }

    @Test func recipesBuildAndUnknownNamesListTheValidOnes() throws {
        #expect(recipes.names == ["cnn", "mlp", "resnet"])
        for name in recipes.names {
            let recipe = try recipes.make(name)
            var rng = RandomGenerator(seed: 1)
            let image = recipe.model.contains("conv")
            let model = try Sequential.build(spec: recipe.model, inputShape: image ? [1, 28, 28] : [784], rng: &rng)
            #expect(model.outputShape == [10], "\(name)")
            _ = try optimizers.make(recipe.optimizer)
            _ = try recipe.schedule.map { try schedules.make($0) }
            _ = try losses.make(recipe.loss)
            // The canonical model spec rebuilds the same model (replicas, --resume, --load).
            var again = RandomGenerator(seed: 1)
            #expect(try Sequential.build(spec: model.description, inputShape: model.inputShape, rng: &again).description == model.description)
        }
        do { _ = try recipes.make("resnet50"); Issue.record("made an unknown recipe") } catch {
            #expect("\(error)".contains("cnn") && "\(error)".contains("mlp") && "\(error)".contains("resnet"), "\(error)")
        }
    }
}
