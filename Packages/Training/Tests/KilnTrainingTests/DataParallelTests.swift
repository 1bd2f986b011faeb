import Testing
import KilnData
import KilnLayers
import KilnOptimizers
import KilnRegularizers
import KilnTensor
@testable import KilnTraining

/// The data-parallel trainer's rule: the same seed and options give bit-identical weights,
/// buffers, histories and evaluations at any thread count (Training README, "Every core").
@Suite(.serialized) struct DataParallelTests {
    /// 300 examples (not a multiple of the batch: the last batch is partial) of 8 features.
    func flatData(count: Int = 300, seed: UInt64 = 1) -> TensorDataset {
        var rng = RandomGenerator(seed: seed)
        let x = Tensor.normal([count, 8], using: &rng)
        let labels = (0..<count).map { i in (x[i, 0] + x[i, 1] > 0 ? 1 : 0) + (x[i, 2] > 0.5 ? 1 : 0) }
        return TensorDataset(inputs: x, labels: labels, classNames: ["a", "b", "c"])
    }

    func imageData(count: Int = 150, seed: UInt64 = 2) -> TensorDataset { quadrantImages(count: count, seed: seed) }

    func train(_ spec: String, data: any Dataset, threads: Int, shards: Int? = 4, epochs: Int = 3,
               batchSize: Int = 64, optimizer: String = "adam(lr=0.01)", regularizer: String? = "l2(lambda=0.001)",
               clipValue: Float? = nil) throws -> Trainer {
        var rng = RandomGenerator(seed: 11)
        let model = try Sequential.build(spec: spec, inputShape: data.inputShape, rng: &rng)
        let trainer = Trainer(model: model, optimizer: try optimizers.make(optimizer), batchSize: batchSize, seed: 11)
        trainer.threads = threads
        trainer.shards = shards
        trainer.regularizer = try regularizer.map { try regularizers.make($0) }
        trainer.clipValue = clipValue
        try trainer.fit(train: data, epochs: epochs)
        return trainer
    }

    /// Same weights and buffers, and the same records from epoch `from` on (records
    /// restored from a checkpoint went through JSON text).
    func expectIdentical(_ a: Trainer, _ b: Trainer, _ label: String, from: Int = 0) {
        #expect(a.modelState.count == b.modelState.count)
        for (p, q) in zip(a.modelState, b.modelState) {
            #expect(p.value == q.value, "\(label): \(p.name) differs")
        }
        #expect(a.history.dropFirst(from).map(\.trainLoss) == b.history.dropFirst(from).map(\.trainLoss), "\(label): training losses differ")
        #expect(a.history.dropFirst(from).map(\.trainAccuracy) == b.history.dropFirst(from).map(\.trainAccuracy), "\(label)")
    }

    @Test func mlpWithBatchNormAndDropoutIsBitIdenticalForAnyThreadCount() throws {
        let data = flatData()
        let spec = "dense(32)|batchnorm|relu|dropout(0.3)|dense(16)|relu|dense(3)"
        let one = try train(spec, data: data, threads: 1)
        for threads in [2, 3, 8] {
            expectIdentical(one, try train(spec, data: data, threads: threads), "threads \(threads)")
        }
        // The model learned, and the threads changed nothing in evaluation either.
        let two = try train(spec, data: data, threads: 2)
        #expect(one.history.last!.trainLoss < one.history.first!.trainLoss)
        let e1 = one.evaluate(data), e2 = two.evaluate(data)
        #expect(e1.loss == e2.loss && e1.predictions == e2.predictions)
    }

    /// Without a regularizer or clipping, the optimizer updates each gradient range right
    /// after its shards are summed (Trainer's fused step): the weights are those of the
    /// separate sum-then-step path (forced here by a clip that changes nothing), bit for
    /// bit, at any thread count, for Adam (elementwise) and NAdam (not: never fused).
    @Test func theFusedOptimizerStepIsBitIdenticalToTheSeparateOne() throws {
        let data = flatData()
        let spec = "dense(32)|batchnorm|relu|dropout(0.3)|dense(16)|relu|dense(3)"
        for optimizer in ["adam(lr=0.01)", "sgd(lr=0.1, momentum=0.9)", "nadam(lr=0.01)"] {
            let separate = try train(spec, data: data, threads: 1, optimizer: optimizer, regularizer: nil,
                                     clipValue: .greatestFiniteMagnitude)
            #expect(separate.parallel.fusedSteps == 0)
            for threads in [1, 2, 3] {
                let fused = try train(spec, data: data, threads: threads, optimizer: optimizer, regularizer: nil)
                #expect(fused.parallel.fusedSteps == (optimizer.hasPrefix("nadam") ? 0 : 3 * 5), "\(optimizer)")
                expectIdentical(separate, fused, "\(optimizer), threads \(threads)")
            }
        }
    }

    /// A batch with a non-finite loss is not updated by the fused step: the error leaves
    /// the weights of the last good step.
    @Test func theFusedStepLeavesWeightsAloneOnANonFiniteLoss() throws {
        var rng = RandomGenerator(seed: 3)
        var x = Tensor.normal([64, 8], using: &rng)
        x[40, 3] = .infinity
        let data = TensorDataset(inputs: x, labels: (0..<64).map { $0 % 3 }, classNames: ["a", "b", "c"])
        let model = try Sequential.build(spec: "dense(3)", inputShape: [8], rng: &rng)
        let before = model.parameters.map(\.value)
        let trainer = Trainer(model: model, optimizer: try optimizers.make("adam(lr=0.01)"), batchSize: 64, seed: 1)
        #expect(throws: TrainingError.self) { try trainer.fit(train: data, epochs: 1) }
        #expect(model.parameters.map(\.value) == before)
    }

    @Test func cnnWithBatchNormDropoutAndRandomTransformsIsBitIdentical() throws {
        let data = RandomShiftDataset(base: imageData(), seed: 5)
        let spec = "conv(4, kernel=3, padding=1)|batchnorm|relu|maxpool(2)|conv(6, kernel=3, padding=1)|relu|dropout(0.25)|flatten|dense(4)"
        let one = try train(spec, data: data, threads: 1, batchSize: 32)
        for threads in [2, 3] {
            expectIdentical(one, try train(spec, data: data, threads: threads, batchSize: 32), "threads \(threads)")
        }
        #expect(one.history.last!.trainLoss < one.history.first!.trainLoss)
    }

    /// Dropout draws per sample: splitting the batch differently leaves the masks alone, so
    /// a model without BatchNorm trained with SGD ends within rounding of the 1-shard run
    /// (only the order of the gradient sum differs).
    @Test func dropoutMasksDoNotDependOnTheShardCount() throws {
        let data = flatData()
        let spec = "dense(16)|relu|dropout(0.5)|dense(3)"
        let one = try train(spec, data: data, threads: 1, shards: 1, optimizer: "sgd(lr=0.1)")
        let four = try train(spec, data: data, threads: 2, shards: 4, optimizer: "sgd(lr=0.1)")
        for (p, q) in zip(one.parameters, four.parameters) {
            let difference = (p.value - q.value).abs().max()
            #expect(difference < 1e-4, "\(p.name): \(difference)")
        }
    }

    /// The trainer advances an epoch-aware dataset itself: every epoch draws new transforms,
    /// and a run resumed from a checkpoint draws what the uninterrupted run drew.
    @Test func augmentationAdvancesEveryEpochAndAfterResume() throws {
        let spec = "conv(4, kernel=3, padding=1)|relu|flatten|dense(4)"
        let data = RandomShiftDataset(base: imageData(), seed: 7)
        let full = try train(spec, data: data, threads: 2, epochs: 4, batchSize: 32)
        #expect(data.announced == [1, 2, 3, 4])
        // Epochs 1 and 2 see different images for the same index.
        data.setEpoch(1)
        let first = data.batch([0, 1, 2, 3]).inputs
        data.setEpoch(2)
        #expect(data.batch([0, 1, 2, 3]).inputs != first)

        let resumedData = RandomShiftDataset(base: imageData(), seed: 7)
        let head = try train(spec, data: resumedData, threads: 1, epochs: 2, batchSize: 32)
        let bytes = head.checkpoint(inputShape: resumedData.inputShape, classNames: resumedData.classNames).encoded()
        var rng = RandomGenerator(seed: 11)
        let model = try Sequential.build(spec: spec, inputShape: resumedData.inputShape, rng: &rng)
        let resumed = Trainer(model: model, optimizer: try optimizers.make("adam(lr=0.01)"), batchSize: 32, seed: 11)
        resumed.regularizer = try regularizers.make("l2(lambda=0.001)")
        try resumed.restore(from: try SafeTensors(bytes: bytes))
        resumedData.announced = []
        try resumed.fit(train: resumedData, epochs: 4)
        #expect(resumedData.announced == [3, 4])
        expectIdentical(full, resumed, "resumed with augmentation", from: 2)
    }

    @Test func shardsCoverTheBatchWithoutGaps() {
        var rng = RandomGenerator(seed: 1)
        let model = try! Sequential.build(spec: "dense(2)", inputShape: [3], rng: &rng)
        let engine = DataParallel(model: model, shards: 4)
        #expect(engine.shards == 4)
        for n in [1, 3, 4, 5, 64, 130] {
            let ranges = (0..<4).map { engine.shardRange($0, of: n) }
            #expect(ranges.first!.lowerBound == 0 && ranges.last!.upperBound == n)
            for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
            #expect(ranges.map(\.count).max()! - ranges.map(\.count).min()! <= 1)
            #expect(!ranges[0].isEmpty)
        }
    }

    @Test func theDefaultShardCountFollowsTheBatchSize() {
        #expect(Trainer.defaultShards(batchSize: 128) == 2)
        #expect(Trainer.defaultShards(batchSize: 32) == 1)
        #expect(Trainer.defaultShards(batchSize: 4096) == 8)
        var rng = RandomGenerator(seed: 1)
        let trainer = Trainer(model: try! Sequential.build(spec: "dense(2)", inputShape: [3], rng: &rng),
                              optimizer: try! optimizers.make("sgd(lr=0.1)"), batchSize: 256)
        #expect(trainer.effectiveShards == 4)
        trainer.shards = 3
        #expect(trainer.effectiveShards == 3)
    }

    /// A layer the registry does not know cannot be replicated: one shard, any threads.
    @Test func anUnregisteredLayerTrainsOnOneShard() throws {
        let data = flatData()
        func run(_ threads: Int) throws -> Trainer {
            var rng = RandomGenerator(seed: 3)
            let model = Sequential([Dense(units: 8), Doubler(), Dense(units: 3)])
            _ = try model.build(inputShape: [8], name: "", rng: &rng)
            let trainer = Trainer(model: model, optimizer: try optimizers.make("adam(lr=0.01)"), batchSize: 64, seed: 3)
            trainer.threads = threads
            trainer.shards = 4
            try trainer.fit(train: data, epochs: 2)
            #expect(trainer.parallel.shards == 1)
            return trainer
        }
        expectIdentical(try run(1), try run(3), "unregistered layer")
    }

    @Test func evaluationAndPredictionDoNotDependOnThreads() throws {
        let data = flatData(count: 1234)
        var rng = RandomGenerator(seed: 4)
        let model = try Sequential.build(spec: "dense(16)|batchnorm|relu|dense(3)", inputShape: [8], rng: &rng)
        let one = Trainer.evaluate(model: model, data: data, batchSize: 100, threads: 1)
        let three = Trainer.evaluate(model: model, data: data, batchSize: 100, threads: 3)
        #expect(one.loss == three.loss && one.predictions == three.predictions && one.confusion == three.confusion)
        #expect(one.predictions.count == 1234)
        let p1 = Trainer.predictProbabilities(model: model, inputs: data.inputs, batchSize: 100, threads: 1)
        let p2 = Trainer.predictProbabilities(model: model, inputs: data.inputs, batchSize: 100, threads: 2)
        #expect(p1 == p2 && p1.shape == [1234, 3])
        let empty = Trainer.predictProbabilities(model: model, inputs: Tensor.zeros([0, 8]), threads: 2)
        #expect(empty.shape == [0, 3])
    }

    @Test func checkpointsKeepTheShardCountAndResumeBitIdentically() throws {
        let data = flatData()
        let spec = "dense(16)|batchnorm|relu|dropout(0.2)|dense(3)"
        let full = try train(spec, data: data, threads: 2, shards: 3, epochs: 4)
        var rng = RandomGenerator(seed: 11)
        let first = try train(spec, data: data, threads: 1, shards: 3, epochs: 2)
        let bytes = first.checkpoint(inputShape: [8], classNames: data.classNames).encoded()
        let model = try Sequential.build(spec: spec, inputShape: [8], rng: &rng)
        let resumed = Trainer(model: model, optimizer: try optimizers.make("adam(lr=0.01)"), batchSize: 64, seed: 11)
        resumed.regularizer = try regularizers.make("l2(lambda=0.001)")
        resumed.threads = 3
        try resumed.restore(from: try SafeTensors(bytes: bytes))
        #expect(resumed.effectiveShards == 3)
        try resumed.fit(train: data, epochs: 4)
        expectIdentical(full, resumed, "resumed", from: 2)
    }

    @Test func aMalformedShardCountInACheckpointIsAnError() throws {
        let data = flatData()
        let trained = try train("dense(8)|relu|dense(3)", data: data, threads: 1, epochs: 1)
        for bad in ["abc", "0", "-3", "100000"] {
            var file = trained.checkpoint(inputShape: [8], classNames: data.classNames)
            file.metadata["kiln.shards"] = bad
            var rng = RandomGenerator(seed: 11)
            let fresh = Trainer(model: try Sequential.build(spec: "dense(8)|relu|dense(3)", inputShape: [8], rng: &rng),
                                optimizer: try optimizers.make("adam(lr=0.01)"), batchSize: 64, seed: 11)
            #expect(throws: TrainingError.self, "kiln.shards = \(bad)") { try fresh.restore(from: file) }
        }
    }

    @Test func theParallelOptimizerStepIsBitIdentical() throws {
        for spec in ["adam(lr=0.01)", "sgd(lr=0.1, momentum=0.9)", "nadam(lr=0.01)", "rmsprop(lr=0.01)"] {
            func run(_ threads: Int) throws -> [Tensor] {
                var rng = RandomGenerator(seed: 9)
                let parameters = [Parameter(name: "w", value: Tensor.normal([300, 400], using: &rng)),
                                  Parameter(name: "b", value: Tensor.normal([7], using: &rng))]
                let optimizer = try optimizers.make(spec)
                for step in 0..<3 {
                    var g = RandomGenerator(seed: UInt64(step))
                    for p in parameters { p.gradient = Tensor.normal(p.shape, using: &g) }
                    optimizer.step(parameters, threads: threads)
                }
                return parameters.map(\.value)
            }
            #expect(try run(1) == run(3), "\(spec)")
        }
    }

    @Test func parallelForEachVisitsEveryItemOnce() {
        for threads in [1, 2, 5] {
            var visits = [Int](repeating: 0, count: 100)
            var workers = [Int](repeating: -1, count: 100)
            visits.withUnsafeMutableBufferPointer { v in
                workers.withUnsafeMutableBufferPointer { w in
                    Parallel.forEach(100, threads: threads) { item, worker in
                        v[item] += 1  // items are disjoint: no two workers touch one slot
                        w[item] = worker
                    }
                }
            }
            #expect(visits == [Int](repeating: 1, count: 100))
            // The fixed assignment: item i goes to worker i mod threads.
            #expect(workers == (0..<100).map { $0 % threads })
        }
        #expect(Parallel.availableCores >= 1)
    }
}

/// A layer outside the registry: y = 2x.
final class Doubler: Layer {
    var description: String { "doubler" }
    var parameters: [Parameter] { [] }
    func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] { inputShape }
    func forward(_ input: Tensor, training: Bool) -> Tensor { input * 2 }
    func backward(_ outputGradient: Tensor) -> Tensor { outputGradient * 2 }
}

/// Shifts each image by -1, 0 or 1 pixels per axis, drawn from (seed, epoch, index): the
/// contract of KilnAugmentation's `AugmentedDataset`, which this package cannot import.
/// Records the epochs the trainer announces.
final class RandomShiftDataset: EpochAwareDataset, @unchecked Sendable {
    let base: TensorDataset
    let seed: UInt64
    var epoch = 0
    var announced: [Int] = []
    func setEpoch(_ epoch: Int) {
        self.epoch = epoch
        announced.append(epoch)
    }
    init(base: TensorDataset, seed: UInt64) { self.base = base; self.seed = seed }
    var count: Int { base.count }
    var inputShape: [Int] { base.inputShape }
    var classNames: [String] { base.classNames }
    func example(at index: Int) -> (input: Tensor, label: Int) {
        let (x, y) = batch([index])
        return (x.rows(0..<1).reshaped(inputShape), y[0])
    }
    func batch(_ indices: [Int]) -> (inputs: Tensor, labels: [Int]) {
        let (x, labels) = base.batch(indices)
        let (h, w) = (inputShape[1], inputShape[2])
        var out = Tensor.zeros(x.shape)
        for (row, index) in indices.enumerated() {
            var rng = RandomGenerator(seed: seed &+ UInt64(epoch) &* 1_000_003 &+ UInt64(index))
            let dy = rng.int(below: 3) - 1, dx = rng.int(below: 3) - 1
            for y in 0..<h {
                for z in 0..<w where (0..<h).contains(y + dy) && (0..<w).contains(z + dx) {
                    out[row, 0, y, z] = x[row, 0, y + dy, z + dx]
                }
            }
        }
        return (out, labels)
    }
}

/// 1x8x8 images whose class is the brightest quadrant (the data of the image tests).
func quadrantImages(count: Int, seed: UInt64) -> TensorDataset {
    var rng = RandomGenerator(seed: seed)
    var x = Tensor.uniform([count, 1, 8, 8], using: &rng)
    var labels: [Int] = []
    for i in 0..<count {
        let q = rng.int(below: 4)
        labels.append(q)
        for y in 0..<4 { for z in 0..<4 { x[i, 0, (q / 2) * 4 + y, (q % 2) * 4 + z] += 1 } }
    }
    return TensorDataset(inputs: x, labels: labels, classNames: ["tl", "tr", "bl", "br"])
}
