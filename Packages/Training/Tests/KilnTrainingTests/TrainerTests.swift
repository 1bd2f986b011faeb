import Testing
import KilnData
import KilnLayers
import KilnOptimizers
import KilnRegularizers
import KilnTensor
@testable import KilnTraining

@Suite(.serialized) struct TrainerTests {
    /// The trainer's per-epoch seeds, pinned to the formula computed outside Swift: a
    /// change would change every run's shuffles, dropout masks and augmentation.
    @Test func derivedSeedsArePinned() {
        #expect(Trainer.derivedSeed(1, epoch: 3, stream: 2) == 0xB7A0_56BA_02C7_8EAB)
    }

    /// 1,000 real Fashion-MNIST images, a small MLP, 5 epochs: > 0.7 test accuracy on
    /// 1,000 test images (a debug build does this in seconds).
    @Test func smallSubsetLearns() throws {
        let data = try MNISTDirectory.fashionMNIST.loadTrainAndTest()
        let train = data.train.subset(Array(0..<1000))
        let test = data.test.subset(Array(0..<1000))
        var rng = RandomGenerator(seed: 3)
        let model = try Sequential.build(spec: "dense(64)|relu|dense(10)", inputShape: [784], rng: &rng)
        let trainer = Trainer(model: model, optimizer: try optimizers.make("adam(lr=0.003)"), batchSize: 32, seed: 3)
        try trainer.fit(train: train, epochs: 5)
        let accuracy = trainer.evaluate(test).accuracy
        #expect(accuracy > 0.7, "accuracy \(accuracy)")
        #expect(trainer.history.count == 5)
        #expect(trainer.history.last!.trainLoss < trainer.history.first!.trainLoss)
    }

    func syntheticData(count: Int = 256, seed: UInt64 = 1) -> TensorDataset {
        var rng = RandomGenerator(seed: seed)
        let x = Tensor.normal([count, 8], using: &rng)
        let labels = (0..<count).map { i in x[i, 0] + x[i, 1] > 0 ? 1 : 0 }
        return TensorDataset(inputs: x, labels: labels, classNames: ["neg", "pos"])
    }

    func makeTrainer(seed: UInt64 = 5) throws -> Trainer {
        var rng = RandomGenerator(seed: seed)
        let model = try Sequential.build(spec: "dense(16)|relu|dropout(0.2)|dense(2)", inputShape: [8], rng: &rng)
        let trainer = Trainer(model: model, optimizer: try optimizers.make("adam(lr=0.01)"), batchSize: 32, seed: seed)
        trainer.regularizer = try regularizers.make("l2(lambda=0.001)")
        return trainer
    }

    /// A run restored from the checkpoint after epoch 2 ends bit-identical to a run of 4.
    @Test func resumeIsBitIdentical() throws {
        let data = syntheticData()
        let full = try makeTrainer()
        try full.fit(train: data, epochs: 4)
        let first = try makeTrainer()
        try first.fit(train: data, epochs: 2)
        let bytes = first.checkpoint(inputShape: [8], classNames: data.classNames).encoded()
        let resumed = try makeTrainer()
        try resumed.restore(from: try SafeTensors(bytes: bytes))
        #expect(resumed.completedEpochs == 2)
        try resumed.fit(train: data, epochs: 4)
        for (a, b) in zip(full.modelState, resumed.modelState) { #expect(a.value == b.value, "\(a.name)") }
        #expect(resumed.history.count == 4)
    }

    @Test func nonFiniteLossStopsWithEpochAndBatch() throws {
        let data = syntheticData()
        var rng = RandomGenerator(seed: 1)
        let model = try Sequential.build(spec: "dense(16)|relu|dense(2)", inputShape: [8], rng: &rng)
        let trainer = Trainer(model: model, optimizer: try optimizers.make("sgd(lr=1e30)"), batchSize: 32)
        do {
            try trainer.fit(train: data, epochs: 3)
            Issue.record("an absurd learning rate trained")
        } catch let error as TrainingError {
            guard case .nonFiniteLoss(let epoch, let batch, _) = error else { Issue.record("\(error)"); return }
            #expect(epoch >= 1 && batch >= 1)
            #expect("\(error)".contains("epoch \(epoch), batch \(batch)"))
        }
    }

    @Test func skipNonFiniteCountsSkippedSteps() throws {
        var data = syntheticData()
        // One non-finite input row poisons every batch that contains it.
        var inputs = data.inputs
        inputs[0, 0] = .nan
        data = TensorDataset(inputs: inputs, labels: data.labels, classNames: data.classNames)
        let trainer = try makeTrainer()
        trainer.skipNonFinite = true
        try trainer.fit(train: data, epochs: 2)
        #expect(trainer.history.map(\.skippedSteps) == [1, 1])
        #expect(trainer.modelState.allSatisfy { $0.value.isFinite })
    }

    @Test func earlyStoppingRestoresTheBestWeights() throws {
        let data = syntheticData()
        let dev = syntheticData(count: 64, seed: 2)
        let trainer = try makeTrainer()
        trainer.optimizer = try optimizers.make("sgd(lr=3)")  // noisy: dev loss goes up and down
        trainer.earlyStopping = EarlyStopping(monitor: .loss, patience: 2)
        try trainer.fit(train: data, dev: dev, epochs: 12)
        let best = trainer.earlyStopping!.bestEpoch!
        let bestLoss = trainer.history[best - 1].devLoss!
        let now = trainer.evaluate(dev).loss
        #expect(abs(now - bestLoss) < 1e-6, "restored dev loss \(now), best \(bestLoss) at epoch \(best)")
    }
}
