import Foundation
import KilnData
import KilnLayers
import KilnOptimizers
import KilnTensor
import KilnTraining
import Testing

// The code of the KilnTraining documentation articles "Getting started" and "Checkpoints
// and determinism" (KilnTraining.docc), compiled and run here; ReadmeSnippetTests checks
// that the articles show these lines.

@Suite(.serialized) struct TrainingArticleTests {
    /// Getting started: the ten lines, on the first 2,000 training images so that a debug
    /// build runs them in seconds (the article says to drop the `subset` for the real run).
    @Test func gettingStarted() throws {
        // snippet getting-started
        let data = try MNISTDirectory.fashionMNIST.loadTrainAndTest()    // Debian's dataset-fashion-mnist
        let train = data.train.subset(Array(0..<2000))                   // a quick first run; use data.train for all 60,000
        var rng = RandomGenerator(seed: 1)
        let model = try Sequential.build(spec: "dense(128)|relu|dense(10)", inputShape: [784], rng: &rng)
        let trainer = Trainer(model: model, optimizer: try optimizers.make("adam(lr=0.001)"), batchSize: 64)
        try trainer.fit(train: train, epochs: 3)
        let result = trainer.evaluate(data.test)
        print("test accuracy \(result.accuracy), loss \(result.loss)")
        // end snippet
        #expect(result.accuracy > 0.7, "accuracy \(result.accuracy)")
        #expect(trainer.history.count == 3)
    }

    /// Checkpoints and determinism: a run stopped after two epochs and resumed from its
    /// checkpoint file ends with the weights of a run that never stopped.
    @Test func resumeFromACheckpointFile() throws {
        var rng = RandomGenerator(seed: 7)
        let x = Tensor.normal([256, 8], using: &rng)
        let data = TensorDataset(inputs: x, labels: (0..<256).map { x[$0, 0] > x[$0, 1] ? 1 : 0 }, classNames: ["a", "b"])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-article-\(getpid()).ckpt").path
        defer { try? FileManager.default.removeItem(atPath: path) }

        // snippet checkpoint-resume
        func makeTrainer(threads: Int) throws -> Trainer {
            var rng = RandomGenerator(seed: 5)                          // the same seed, the same initial weights
            let model = try Sequential.build(spec: "dense(16)|relu|dropout(0.2)|dense(2)", inputShape: [8], rng: &rng)
            let trainer = Trainer(model: model, optimizer: try optimizers.make("adam(lr=0.01)"), batchSize: 32, seed: 5)
            trainer.threads = threads                                   // any count: the same bits
            return trainer
        }
        let uninterrupted = try makeTrainer(threads: 1)
        try uninterrupted.fit(train: data, epochs: 4)

        let first = try makeTrainer(threads: 2)
        try first.fit(train: data, epochs: 2)
        try first.checkpoint(inputShape: [8], classNames: data.classNames).write(to: path)

        let resumed = try makeTrainer(threads: 3)                     // a new process would do the same
        try resumed.restore(from: try SafeTensors(contentsOf: path))  // weights, optimizer state, epoch, history
        try resumed.fit(train: data, epochs: 4)                       // runs epochs 3 and 4
        for (a, b) in zip(uninterrupted.modelState, resumed.modelState) {
            precondition(a.value == b.value)                          // bit-identical
        }
        // end snippet
        #expect(resumed.completedEpochs == 4 && resumed.history.count == 4)
    }
}
