import Testing
import KilnData
import KilnDistributed
import KilnLayers
import KilnOptimizers
import KilnRegularizers
import KilnTensor
@testable import KilnTraining

/// The trainer over several ranks (a ThreadGroup: ranks are threads of this process, the
/// same collectives as MPI's): every rank ends with the weights of the one-process run,
/// bit for bit, for any number of ranks, and evaluation gathers the same result.
@Suite(.serialized) struct DistributedTrainingTests {
    let helpers = DataParallelTests()

    func train(_ spec: String, data: any Dataset, communicator: (any Communicator)?, shards: Int = 4,
               threads: Int = 1, batchSize: Int = 32) throws -> Trainer {
        var rng = RandomGenerator(seed: 11)
        let model = try Sequential.build(spec: spec, inputShape: data.inputShape, rng: &rng)
        let trainer = Trainer(model: model, optimizer: try optimizers.make("adam(lr=0.01)"), batchSize: batchSize, seed: 11)
        trainer.threads = threads
        trainer.shards = shards
        trainer.communicator = communicator
        trainer.regularizer = try regularizers.make("l2(lambda=0.001)")
        try trainer.fit(train: data, epochs: 2)
        return trainer
    }

    @Test func batchNormCNNIsBitIdenticalForAnyRankCount() throws {
        let data = RandomShiftDataset(base: helpers.imageData(count: 90), seed: 5)
        let spec = "conv(4, kernel=3, padding=1)|batchnorm|relu|maxpool(2)|conv(6, kernel=3, padding=1)|relu|dropout(0.25)|flatten|dense(4)"
        let plain = try train(spec, data: data, communicator: nil)
        let plainEval = plain.evaluate(data)
        #expect(plain.history.last!.trainLoss < plain.history.first!.trainLoss)
        // 3 ranks with 4 shards: rank 0 runs two shards per batch, the others one; 5 ranks:
        // one rank has no shard at all. Rank 1 of 2 runs with 2 threads.
        for ranks in [1, 2, 3, 5] {
            let group = ThreadGroup(size: ranks)
            let results = try group.run { rank -> (Trainer, Evaluation) in
                let t = try train(spec, data: data, communicator: rank, threads: rank.rank == 1 ? 2 : 1)
                return (t, t.evaluate(data))
            }
            for (r, (trainer, evaluation)) in results.enumerated() {
                helpers.expectIdentical(plain, trainer, "\(ranks) ranks, rank \(r)")
                #expect(evaluation.loss == plainEval.loss && evaluation.predictions == plainEval.predictions,
                        "\(ranks) ranks, rank \(r): evaluation differs")
            }
        }
    }

    @Test func evaluationChunksAreGatheredInOrder() throws {
        let data = helpers.flatData(count: 2_345)
        var rng = RandomGenerator(seed: 3)
        let model = try Sequential.build(spec: "dense(16)|relu|dense(3)", inputShape: [8], rng: &rng)
        let plain = Trainer.evaluate(model: model, data: data, batchSize: 100)
        let group = ThreadGroup(size: 3)
        let gathered = try group.run { rank -> Evaluation in
            var rng = RandomGenerator(seed: 3)
            let copy = try Sequential.build(spec: "dense(16)|relu|dense(3)", inputShape: [8], rng: &rng)
            let trainer = Trainer(model: copy, optimizer: try optimizers.make("sgd(lr=0.1)"))
            trainer.evaluationBatchSize = 100
            trainer.threads = 1
            trainer.communicator = rank
            return trainer.evaluate(data)
        }
        for e in gathered {
            #expect(e.loss == plain.loss)
            #expect(e.predictions == plain.predictions)
            #expect(e.confusion.counts == plain.confusion.counts)
        }
    }
}
