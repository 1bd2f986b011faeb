import Dispatch
import Foundation
import KilnData
import KilnDistributed
import KilnLayers
import KilnOptimizers
import KilnRegularizers
import KilnTensor

/// Trains a `Sequential` classifier with mini-batches: the loop of the course notes, on
/// every core.
///
/// One step, from the data to BLAS (see `DataParallel` for the rule in full):
/// 1. the batch's indices are cut into ``shards`` contiguous slices (a number that does not
///    depend on ``threads``); ``threads`` workers take the shards, each shard on its own
///    model (the trainer's model or a replica sharing its parameter values);
/// 2. per shard: `train.batch(rows)` gathers (and augments) its rows, the model is
///    re-seeded for the shard's first sample (dropout masks are per sample),
///    `forward(x, training: true)` runs each layer (dense and conv layers call
///    `cblas_sgemm`, single-threaded, through KilnTensor's `matmul`),
///    the ``loss``'s `shardLossAndGradient` gives dL/dlogits of the batch mean, and
///    `backward` fills the shard model's gradients;
/// 3. the shard gradients are summed into the model's in shard order (in parallel over
///    element ranges) and the buffers (BatchNorm's running statistics) averaged;
/// 4. regularizers add their penalty gradients to the weights (not biases);
/// 5. optional clipping, then `optimizer.step(parameters, threads:)` updates the values in
///    place (built-in rules in parallel over element ranges).
///
/// The same seed and options give bit-identical weights at any ``threads``. ``shards``
/// changes BatchNorm's statistics (each shard normalizes with its own) and the order of
/// the gradient sum, so it is part of the run's options (saved in checkpoints).
///
/// Epochs are reproducible and resumable: epoch `k` shuffles with a generator seeded by
/// `(seed, k)`, seeds the model's own randomness (dropout) the same way and tells an
/// ``/KilnData/EpochAwareDataset`` (augmentation) that epoch `k` starts, so a run resumed from the
/// checkpoint of epoch `k` ends bit-identical to an uninterrupted one.
///
/// A non-finite loss stops training with ``TrainingError/nonFiniteLoss(epoch:batch:loss:)``
/// naming the epoch and batch, unless `skipNonFinite` is set, in which case the step is
/// skipped (no update) and counted in the epoch record.
public final class Trainer {
    /// The model being trained (its parameters are updated in place).
    public let model: Sequential
    /// The update rule; its learning rate is set from `schedule` each epoch.
    public var optimizer: any Optimizer
    /// The training loss (softmax cross-entropy by default; any ``/KilnLayers/Loss``, e.g. from KilnLayers'
    /// `losses` registry). Evaluation reports softmax cross-entropy whatever it is, so test
    /// losses compare across runs. Saved in checkpoints (`kiln.loss`).
    public var loss: any Loss = SoftmaxCrossEntropy()
    /// Applied to every regularized parameter (weights, not biases) unless a layer has its own.
    public var regularizer: (any Regularizer)?
    /// Per-layer regularizers by layer name (`"0.dense"`), overriding `regularizer`.
    public var layerRegularizers: [String: any Regularizer] = [:]
    /// Sets the learning rate per epoch from the optimizer's base rate (nil: constant).
    public var schedule: (any LearningRateSchedule)?
    /// Clip the global gradient norm to this value before each step (nil: no clipping;
    /// `GradientClipping.clipByGlobalNorm`, after clipping by value).
    public var clipNorm: Float?
    /// Clamp every gradient element to [−clipValue, clipValue] before each step (nil: no
    /// clipping; `GradientClipping.clipByValue`, torch's `clip_grad_value_`).
    public var clipValue: Float?
    /// Stops training when the monitored metric stops improving and can restore the best
    /// weights (nil: off). It watches the dev metric, or the training one without a dev set.
    public var earlyStopping: EarlyStopping?
    /// Hooks called around epochs and batches, in order.
    public var callbacks: [any TrainingCallback] = []
    /// Examples per training step (default 128).
    public var batchSize: Int
    /// The run's seed: shuffles, dropout and augmentation derive from it (default 1).
    public var seed: UInt64
    /// Skip a step whose loss or gradients are not finite, and count it, instead of throwing
    /// (default false).
    public var skipNonFinite = false
    /// Leave out an epoch's last batch when it is smaller than `batchSize` (default false).
    public var dropLast = false
    /// Batch size used for evaluation (forward only).
    public var evaluationBatchSize = 1000
    /// The views each evaluation and prediction looks at (default none; see
    /// ``TestTimeAugmentation``). Training never uses it.
    public var testTimeAugmentation: TestTimeAugmentation = .none
    /// The learning rate the schedule scales (the optimizer's at creation).
    public var baseLearningRate: Float
    /// Worker threads for training steps, evaluation and prediction (default: the cores
    /// this process may use). Results do not depend on it. OpenBLAS runs single-threaded
    /// inside the workers: `fit` and `evaluate` set its process-wide thread count to 1.
    public var threads: Int = Parallel.availableCores {
        didSet { precondition(threads >= 1, "Trainer: threads must be at least 1") }
    }
    /// Slices per mini-batch: the most workers one step can use. nil (the default) means
    /// ``defaultShards(batchSize:)``. Part of the result (BatchNorm statistics per shard,
    /// the gradient sum's order), so it is saved in checkpoints. Models that cannot be
    /// rebuilt from their spec through the ``/KilnLayers/layers`` registry train on one shard.
    public var shards: Int? {
        didSet { precondition((shards ?? 1) >= 1, "Trainer: shards must be at least 1") }
    }
    /// The shard count in use: ``shards`` or the default for ``batchSize``.
    public var effectiveShards: Int { shards ?? Trainer.defaultShards(batchSize: batchSize) }

    /// The default shard count: one shard per 64 rows of the batch, 1 to 8 shards (2 for
    /// the default batch of 128). Measured on the default MLP (`kiln-bench mlp-epoch
    /// --shards`): below 64 rows the per-shard GEMMs repack the weights for few rows and the
    /// shard gradients to sum grow, and one core loses more than a second core gains; conv
    /// nets lose almost nothing with more shards, so on more cores pass `--shards`.
    public static func defaultShards(batchSize: Int) -> Int { max(1, min(8, batchSize / 64)) }

    /// The processes that train this model together (nil or one rank: this process alone).
    /// Every rank runs the same `fit` with the same options and data; each runs its turn of
    /// every batch's shards, and the gathered shard gradients are added in shard order, so
    /// every rank ends each step with the same weights, bit-identical to a one-process run
    /// with the same ``shards``. Evaluation splits its chunks over the ranks the same way.
    /// Callbacks run on every rank: attach writers (checkpoints, logs) on rank 0 only.
    public var communicator: (any Communicator)?

    /// Seconds this trainer's steps spent exchanging shard gradients between ranks (packing,
    /// `allgather`, the ordered sum), and in the `allgather` alone (waiting for the slowest
    /// rank included); 0 without a multi-rank ``communicator``.
    /// With ``separatesWaiting``, `waiting` is the time spent in a barrier before each
    /// exchange (waiting for the slowest rank), and the other two exclude it.
    public var communicationSeconds: (exchange: Double, allgather: Double, waiting: Double) {
        guard let engine else { return (0, 0, 0) }
        return (Double(engine.exchangeNanoseconds) / 1e9, Double(engine.allgatherNanoseconds) / 1e9,
                Double(engine.waitingNanoseconds) / 1e9)
    }

    /// Measurement only: put a barrier before each step's exchange so that
    /// ``communicationSeconds`` tells waiting for slower ranks from communicating.
    public var separatesWaiting = false {
        didSet { engine?.separatesWaiting = separatesWaiting }
    }

    private var engine: DataParallel?
    /// The data-parallel engine (replicas are built on first use).
    var parallel: DataParallel {
        if let engine, engine.requestedShards == effectiveShards, engine.communicator === communicator.flatMap({ $0.size > 1 ? $0 : nil }) {
            return engine
        }
        let made = DataParallel(model: model, shards: effectiveShards, communicator: communicator, workers: threads)
        made.separatesWaiting = separatesWaiting
        engine = made
        return made
    }

    /// Records of the epochs run so far (including those restored from a checkpoint).
    public internal(set) var history: [EpochRecord] = []
    /// Number of finished epochs (the next epoch is `completedEpochs + 1`).
    public internal(set) var completedEpochs = 0
    /// Whether early stopping ended the last `fit`.
    public internal(set) var stoppedEarly = false

    /// A trainer of `model` with `optimizer`, batches of `batchSize` (default 128) and the run
    /// seed `seed` (default 1).
    public init(model: Sequential, optimizer: any Optimizer, batchSize: Int = 128, seed: UInt64 = 1) {
        precondition(batchSize > 0, "Trainer: batch size must be positive")
        self.model = model
        self.optimizer = optimizer
        self.batchSize = batchSize
        self.seed = seed
        self.baseLearningRate = optimizer.learningRate
    }

    /// Every trainable parameter of the model.
    public var parameters: [Parameter] { model.parameters }
    /// Layers whose parameters stay as they are (transfer learning, probing): their keys
    /// (`"0.dense"`, the parameter names without the last part). Their gradients are still
    /// computed (earlier layers need the backward pass), but regularizers, clipping and the
    /// optimizer see only the other parameters. Saved in checkpoints (`kiln.frozen`).
    public var frozenLayers: Set<String> = []
    /// The parameters the optimizer updates: all but the frozen layers'.
    public var trainableParameters: [Parameter] {
        frozenLayers.isEmpty ? parameters : parameters.filter { p in !frozenLayers.contains { p.name.hasPrefix($0 + ".") } }
    }

    /// Freezes the layers at these positions of the model's spec (0-based). Throws
    /// ``TrainingError/configuration(_:)`` for a position outside the model or a layer
    /// without parameters.
    public func freeze(layers positions: [Int]) throws {
        for i in positions {
            guard model.layers.indices.contains(i) else {
                throw TrainingError.configuration("cannot freeze layer \(i): the model has layers 0 to \(model.layers.count - 1)")
            }
            guard let first = model.layers[i].parameters.first else {
                throw TrainingError.configuration("cannot freeze layer \(i) (\(model.layers[i].description)): it has no parameters")
            }
            // The top-level layer's name, `2.residual` for every parameter inside a block.
            frozenLayers.insert(first.name.split(separator: ".", omittingEmptySubsequences: false).prefix(2).joined(separator: "."))
        }
    }
    /// Parameters and buffers: everything a checkpoint or early stopping must keep.
    public var modelState: [Parameter] { model.parameters + model.buffers }

    // MARK: Seeds

    /// A seed derived from the run seed, an epoch and a stream number (1: the epoch's
    /// example order, 2: its dropout and augmentation draws), through KilnTensor's
    /// ``/KilnTensor/mixSeed(_:stream:substream:)`` with the epoch as the stream.
    public static func derivedSeed(_ seed: UInt64, epoch: Int, stream: UInt64) -> UInt64 {
        mixSeed(seed, stream: UInt64(truncatingIfNeeded: epoch), substream: stream)
    }

    // MARK: Training

    /// Trains until `epochs` epochs are complete (counting epochs restored from a
    /// checkpoint) or early stopping triggers. With early stopping and `restoreBest`,
    /// the model ends with the weights of the best epoch in both endings.
    ///
    /// Training, like evaluation and prediction, computes with subnormal floats flushed to
    /// zero (``/KilnTensor/FloatEnvironment``): on every worker and rank alike, so the
    /// result does not depend on the thread or rank count.
    @discardableResult
    public func fit(train: any Dataset, dev: (any Dataset)? = nil, epochs: Int) throws -> [EpochRecord] {
        try FloatEnvironment.withSubnormalsFlushed { try fitEpochs(train: train, dev: dev, epochs: epochs) }
    }

    private func fitEpochs(train: any Dataset, dev: (any Dataset)?, epochs: Int) throws -> [EpochRecord] {
        precondition(train.count > 0, "Trainer.fit: empty training set")
        try adoptLayerRegularizers()
        let batchesPerEpoch = Batches.count(examples: train.count, batchSize: batchSize, dropLast: dropLast)
        schedule?.begin(stepsPerEpoch: batchesPerEpoch, epochs: epochs)
        for c in callbacks {
            c.trainingWillStart(epochs: epochs, startEpoch: completedEpochs + 1, batchesPerEpoch: batchesPerEpoch, examplesPerEpoch: train.count)
        }
        stoppedEarly = false
        while completedEpochs < epochs && !stoppedEarly {
            let epoch = completedEpochs + 1
            for c in callbacks { c.epochWillStart(epoch: epoch) }
            var record = try trainEpoch(epoch, train: train, batchesPerEpoch: batchesPerEpoch)
            if let dev {
                let evaluation = evaluate(dev)
                record.devLoss = evaluation.loss
                record.devAccuracy = evaluation.accuracy
            }
            completedEpochs = epoch
            history.append(record)
            schedule?.observe(metric: record.devLoss ?? record.trainLoss)
            if let earlyStopping {
                let metric: Double
                switch earlyStopping.monitor {
                case .loss: metric = record.devLoss ?? record.trainLoss
                case .accuracy: metric = record.devAccuracy ?? record.trainAccuracy
                }
                stoppedEarly = earlyStopping.update(epoch: epoch, metric: Float(metric), state: modelState)
            }
            for c in callbacks { try c.epochDidEnd(record, trainer: self) }
        }
        if let earlyStopping, earlyStopping.restoreBest, earlyStopping.bestEpoch != nil {
            earlyStopping.restoreBest(into: modelState)
        }
        for c in callbacks { c.trainingDidEnd(history: history, stoppedEarly: stoppedEarly) }
        return history
    }

    private func trainEpoch(_ epoch: Int, train: any Dataset, batchesPerEpoch: Int) throws -> EpochRecord {
        // A per-step schedule sets the rate before every step (below); the epoch records
        // the rate of its first step.
        let stepSchedule = schedule.flatMap { $0.updatesEveryStep ? $0 : nil }
        let firstStep = (epoch - 1) * batchesPerEpoch
        let learningRate = stepSchedule?.learningRate(step: firstStep, stepsPerEpoch: batchesPerEpoch, base: baseLearningRate)
            ?? schedule?.learningRate(epoch: epoch - 1, base: baseLearningRate) ?? optimizer.learningRate
        optimizer.learningRate = learningRate
        BLAS.threadCount = 1
        (train as? any EpochAwareDataset)?.setEpoch(epoch)
        let engine = parallel
        let epochSeed = Trainer.derivedSeed(seed, epoch: epoch, stream: 2)
        var orderRNG = RandomGenerator(seed: Trainer.derivedSeed(seed, epoch: epoch, stream: 1))
        let batches = Batches(order: orderRNG.permutation(train.count), batchSize: batchSize, dropLast: dropLast)
        let parameters = trainableParameters
        let update = fusedUpdate(parameters, engine: engine)
        let start = DispatchTime.now().uptimeNanoseconds
        var lossSum = 0.0
        var correct = 0
        var seen = 0
        var steps = 0
        var skipped = 0
        for b in batches.indices {
            let indices = batches.slice(b)
            if let stepSchedule {
                optimizer.learningRate = stepSchedule.learningRate(step: firstStep + b, stepsPerEpoch: batchesPerEpoch, base: baseLearningRate)
            }
            let result = try engine.step(indices: indices, data: train, loss: loss,
                                         seed: epochSeed, firstSample: indices.startIndex, threads: threads, update: update)
            let batchLoss = Trainer.batchLoss(result)
            if !batchLoss.isFinite {
                if skipNonFinite { skipped += 1; continue }
                throw TrainingError.nonFiniteLoss(epoch: epoch, batch: b + 1, loss: batchLoss)
            }
            if !result.updated {
                applyRegularizers(parameters)
                if skipNonFinite && !parameters.allSatisfy({ $0.gradient.isFinite }) {
                    skipped += 1
                    continue
                }
                if let clipValue { try GradientClipping.clipByValue(parameters, limit: clipValue) }
                if let clipNorm { try GradientClipping.clipByGlobalNorm(parameters, maxNorm: clipNorm) }
                optimizer.step(parameters, threads: threads)
            }
            lossSum += result.lossSum
            correct += result.correct
            seen += result.count
            steps += 1
            if !callbacks.isEmpty {
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                for c in callbacks {
                    c.batchDidEnd(epoch: epoch, batch: b + 1, batches: batchesPerEpoch, loss: batchLoss,
                                  samplesPerSecond: elapsed > 0 ? Double(seen) / elapsed : 0)
                }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if steps == 0 && skipped > 0 {
            throw TrainingError.allStepsSkipped(epoch: epoch, skipped: skipped)
        }
        return EpochRecord(
            epoch: epoch, trainLoss: seen > 0 ? lossSum / Double(seen) : .nan,
            trainAccuracy: seen > 0 ? Double(correct) / Double(seen) : .nan,
            penalty: Double(penalty()), learningRate: Double(learningRate), seconds: seconds,
            samplesPerSecond: seconds > 0 ? Double(seen) / seconds : 0, skippedSteps: skipped)
    }

    /// The regularizer that applies to `parameter`, if any.
    func regularizer(for parameter: Parameter) -> (any Regularizer)? {
        guard parameter.isRegularized else { return nil }
        if !layerRegularizers.isEmpty, let dot = parameter.name.lastIndex(of: ".") {
            if let r = layerRegularizers[String(parameter.name[..<dot])] { return r }
        }
        return regularizer
    }

    /// Adds each regularized parameter's penalty gradient, parameters spread over the
    /// workers (each parameter is one worker's, so the result does not depend on them).
    /// The batch's mean loss, as the non-finite check sees it.
    private static func batchLoss(_ result: DataParallel.StepResult) -> Float {
        Float(result.lossSum / Double(result.count))
    }

    /// The optimizer step fused into the gradient sum, when nothing needs the whole summed
    /// gradient first: no regularizer, no clipping, no `skipNonFinite` check, one process,
    /// and an elementwise rule (``/KilnOptimizers/PerParameterOptimizer/rangeStep(_:)``).
    /// Each range of a parameter is then updated right after its shard gradients are added,
    /// while they are in cache: the same float operations on the same values as summing
    /// everything and then calling `step`, so the weights are bit-identical either way. A
    /// batch whose loss is not finite is not updated (the caller then throws or skips it).
    private func fusedUpdate(_ trainable: [Parameter], engine: DataParallel)
        -> ((DataParallel.StepResult) -> ((Int, Range<Int>) -> Void)?)? {
        guard regularizer == nil, layerRegularizers.isEmpty, clipValue == nil, clipNorm == nil, !skipNonFinite,
              engine.communicator == nil,
              let rule = optimizer as? any PerParameterOptimizer, rule.isElementwise else { return nil }
        let position = Dictionary(uniqueKeysWithValues: trainable.enumerated().map { (ObjectIdentifier($1), $0) })
        let index = engine.model.parameters.map { position[ObjectIdentifier($0)] }
        return { result in
            guard Trainer.batchLoss(result).isFinite, let apply = rule.rangeStep(trainable) else { return nil }
            return { i, range in if let j = index[i] { apply(j, range) } }
        }
    }

    private func applyRegularizers(_ parameters: [Parameter]) {
        guard regularizer != nil || !layerRegularizers.isEmpty else { return }
        let pairs = parameters.compactMap { p in regularizer(for: p).map { (p, $0) } }
        Parallel.forEach(pairs.count, threads: threads) { i, _ in
            let (p, r) = pairs[i]
            r.addGradient(of: p.value, to: &p.gradient)
        }
    }

    /// The total regularization penalty of the current weights.
    public func penalty() -> Float {
        guard regularizer != nil || !layerRegularizers.isEmpty else { return 0 }
        var total: Float = 0
        for p in trainableParameters { if let r = regularizer(for: p) { total += r.penalty(p.value) } }
        return total
    }

    /// Makes the regularizers that layers name in their specs (`dense(256,
    /// regularizer=l2(1e-4))`, see ``RegularizedLayer``) and adds them to
    /// ``layerRegularizers`` (an entry set by hand wins).
    func adoptLayerRegularizers() throws {
        for layer in model.layers.flatMap(\.allLayers) {
            guard let named = layer as? any RegularizedLayer, let spec = named.regularizerSpec,
                  let first = layer.parameters.first?.name, let dot = first.lastIndex(of: ".") else { continue }
            let key = String(first[..<dot])
            guard layerRegularizers[key] == nil else { continue }
            do { layerRegularizers[key] = try regularizers.make(spec) } catch {
                throw TrainingError.configuration("layer \(key): regularizer=\(spec): \(error)")
            }
        }
    }

    // MARK: Evaluation

    /// Loss, accuracy, confusion matrix and predictions on `data`, in evaluation mode,
    /// with the data split into chunks of ``evaluationBatchSize`` over ``threads`` workers.
    public func evaluate(_ data: any Dataset) -> Evaluation {
        BLAS.threadCount = 1
        return Trainer.evaluate(parallel, data: data, batchSize: evaluationBatchSize, threads: threads,
                                testTimeAugmentation: testTimeAugmentation)
    }

    /// Evaluates any model on any dataset (mean softmax cross-entropy and accuracy):
    /// chunks of `batchSize` examples spread over `threads` workers (each on a replica of
    /// the model; BLAS single-threaded). The result does not depend on `threads`. With
    /// `testTimeAugmentation`, predictions and loss come from the views' mean probabilities.
    public static func evaluate(model: Sequential, data: any Dataset, batchSize: Int = 1000, threads: Int = 1,
                                testTimeAugmentation: TestTimeAugmentation = .none) -> Evaluation {
        let workers = usefulWorkers(threads, rows: data.count, batchSize: batchSize)
        if workers > 1 { BLAS.threadCount = 1 }
        return evaluate(DataParallel(model: model, shards: workers), data: data, batchSize: batchSize, threads: workers,
                        testTimeAugmentation: testTimeAugmentation)
    }

    static func evaluate(_ engine: DataParallel, data: any Dataset, batchSize: Int, threads: Int,
                         testTimeAugmentation tta: TestTimeAugmentation = .none) -> Evaluation {
        let loss = SoftmaxCrossEntropy()
        let chunkCount = Batches.count(examples: data.count, batchSize: batchSize, dropLast: false)
        let mine = engine.communicator.map { Array($0.share(of: chunkCount)) }
        var chunks = FloatEnvironment.withSubnormalsFlushed {
            engine.mapChunks(count: data.count, batchSize: batchSize, threads: threads, only: mine) { model, range in
                let (x, labels) = data.batch(Array(range))
                if tta != .none {
                    let p = tta.probabilities(of: model, x)
                    return (TestTimeAugmentation.crossEntropySum(p, labels: labels), labels, p.argmaxIndices())
                }
                let logits = model.forward(x, training: false)
                let (lossSum, _) = loss.shardLossAndGradient(logits: logits, labels: labels, batchCount: labels.count)
                return (lossSum, labels, logits.argmaxIndices())
            }
        }
        if let communicator = engine.communicator {
            chunks = gatherChunks(chunks, count: chunkCount, communicator: communicator)
        }
        var confusion = ConfusionMatrix(classNames: data.classNames)
        var predictions: [Int] = []
        predictions.reserveCapacity(data.count)
        var lossSum = 0.0
        for (chunkLoss, labels, predicted) in chunks {
            lossSum += chunkLoss
            confusion.add(labels: labels, predictions: predicted)
            predictions += predicted
        }
        return Evaluation(loss: data.count > 0 ? lossSum / Double(data.count) : .nan, confusion: confusion, predictions: predictions)
    }

    /// Every rank's evaluated chunks (rank r has chunks r, r + P, …), in chunk order on
    /// every rank. A failed exchange ends the job: evaluation has no error to return, and
    /// the other ranks would wait for this one.
    private static func gatherChunks(_ local: [(Double, [Int], [Int])], count: Int,
                                     communicator: any Communicator) -> [(Double, [Int], [Int])] {
        var message: [Float] = []
        for (lossSum, labels, predicted) in local {
            message.append(Float(bitPattern: UInt32(truncatingIfNeeded: lossSum.bitPattern)))
            message.append(Float(bitPattern: UInt32(truncatingIfNeeded: lossSum.bitPattern >> 32)))
            message.append(Float(bitPattern: UInt32(labels.count)))
            message += labels.map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
            message += predicted.map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
        }
        let all: [[Float]]
        do { all = try communicator.allgatherVariable(message) } catch {
            FileHandle.standardError.write(Data("kiln: evaluation: \(error)\n".utf8))
            communicator.abort(exitCode: 1)
        }
        var perRank: [[(Double, [Int], [Int])]] = []
        for words in all {
            var chunks: [(Double, [Int], [Int])] = []
            var at = 0
            while at + 3 <= words.count {
                let bits = UInt64(words[at].bitPattern) | UInt64(words[at + 1].bitPattern) << 32
                let n = Int(words[at + 2].bitPattern)
                at += 3
                let labels = words[at..<(at + n)].map { Int(Int32(bitPattern: $0.bitPattern)) }
                let predicted = words[(at + n)..<(at + 2 * n)].map { Int(Int32(bitPattern: $0.bitPattern)) }
                at += 2 * n
                chunks.append((Double(bitPattern: bits), labels, predicted))
            }
            perRank.append(chunks)
        }
        let ranks = communicator.size
        return (0..<count).map { c in perRank[c % ranks][c / ranks] }
    }

    /// Workers worth replicating a model for: no more than the chunks of `batchSize` rows.
    private static func usefulWorkers(_ threads: Int, rows: Int, batchSize: Int) -> Int {
        max(1, min(threads, (rows + max(1, batchSize) - 1) / max(1, batchSize)))
    }

    /// Class probabilities (softmax of the logits) for `inputs` `[n] + inputShape`, in
    /// chunks of `batchSize` rows over `threads` workers (the result does not depend on it);
    /// with `testTimeAugmentation`, the mean over the views.
    public static func predictProbabilities(model: Sequential, inputs: Tensor, batchSize: Int = 1000, threads: Int = 1,
                                            testTimeAugmentation: TestTimeAugmentation = .none) -> Tensor {
        let n = inputs.shape.first ?? 0
        let workers = usefulWorkers(threads, rows: n, batchSize: batchSize)
        if workers > 1 { BLAS.threadCount = 1 }
        let loss = SoftmaxCrossEntropy()
        let engine = DataParallel(model: model, shards: workers)
        let parts = FloatEnvironment.withSubnormalsFlushed {
            engine.mapChunks(count: n, batchSize: batchSize, threads: workers) { model, range in
                testTimeAugmentation.probabilities(of: model, inputs.rows(range))
            }
        }
        return parts.isEmpty ? loss.probabilities(Tensor.zeros([0, model.outputShape.reduce(1, *)])) : Tensor.concatenate(parts)
    }
}

/// Errors that stop training.
public enum TrainingError: Error, CustomStringConvertible, Sendable {
    /// The loss was NaN or infinite at this epoch and batch (set `skipNonFinite` to skip such
    /// steps).
    case nonFiniteLoss(epoch: Int, batch: Int, loss: Float)
    /// Every step of the epoch was skipped as non-finite: training cannot go on.
    case allStepsSkipped(epoch: Int, skipped: Int)
    /// A checkpoint that cannot be restored into this trainer; the text names the field.
    case checkpoint(String)
    /// The trainer's settings do not fit together (a layer names an unknown regularizer).
    case configuration(String)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let epoch, let batch, let loss):
            return "training diverged: loss is \(loss) at epoch \(epoch), batch \(batch) (lower the learning rate, or pass --skip-nonfinite to skip such steps)"
        case .allStepsSkipped(let epoch, let skipped):
            return "training diverged: all \(skipped) steps of epoch \(epoch) had a non-finite loss or gradient"
        case .checkpoint(let message), .configuration(let message):
            return message
        }
    }
}
