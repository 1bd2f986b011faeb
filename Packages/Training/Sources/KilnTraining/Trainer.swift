import Dispatch
import KilnData
import KilnLayers
import KilnOptimizers
import KilnRegularizers
import KilnTensor

/// Trains a `Sequential` classifier with mini-batches: the loop of the course notes.
///
/// One step, from the data to BLAS:
/// 1. `train.batch(indices)` gathers a mini-batch (one copy per row);
/// 2. `model.forward(x, training: true)` runs each layer (dense and conv layers call
///    `cblas_sgemm` through KilnTensor's `matmul`);
/// 3. `SoftmaxCrossEntropy.lossAndGradient` gives the mean loss and dL/dlogits;
/// 4. `model.backward` fills every parameter's `gradient`;
/// 5. regularizers add their penalty gradients to the weights (not biases);
/// 6. optional clipping, then `optimizer.step(parameters)` updates the values in place.
///
/// Epochs are reproducible and resumable: epoch `k` shuffles with a generator seeded by
/// `(seed, k)` and re-seeds the model's own randomness (dropout) the same way, so a run
/// resumed from the checkpoint of epoch `k` ends bit-identical to an uninterrupted one.
///
/// A non-finite loss stops training with ``TrainingError/nonFiniteLoss(epoch:batch:loss:)``
/// naming the epoch and batch, unless `skipNonFinite` is set, in which case the step is
/// skipped (no update) and counted in the epoch record.
public final class Trainer {
    public let model: Sequential
    public var optimizer: any Optimizer
    public var loss = SoftmaxCrossEntropy()
    /// Applied to every regularized parameter (weights, not biases) unless a layer has its own.
    public var regularizer: (any Regularizer)?
    /// Per-layer regularizers by layer name (`"0.dense"`), overriding `regularizer`.
    public var layerRegularizers: [String: any Regularizer] = [:]
    public var schedule: (any LearningRateSchedule)?
    /// Clip the global gradient norm to this value before each step (nil: no clipping).
    public var clipNorm: Float?
    public var earlyStopping: EarlyStopping?
    public var callbacks: [any TrainingCallback] = []
    public var batchSize: Int
    public var seed: UInt64
    public var skipNonFinite = false
    public var dropLast = false
    /// Batch size used for evaluation (forward only).
    public var evaluationBatchSize = 1000
    /// The learning rate the schedule scales (the optimizer's at creation).
    public var baseLearningRate: Float

    /// Records of the epochs run so far (including those restored from a checkpoint).
    public internal(set) var history: [EpochRecord] = []
    /// Number of finished epochs (the next epoch is `completedEpochs + 1`).
    public internal(set) var completedEpochs = 0
    /// Whether early stopping ended the last `fit`.
    public internal(set) var stoppedEarly = false

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
    /// Parameters and buffers: everything a checkpoint or early stopping must keep.
    public var modelState: [Parameter] { model.parameters + model.buffers }

    // MARK: Seeds

    /// A seed derived from the run seed, an epoch and a stream number (SplitMix64 mixing).
    public static func derivedSeed(_ seed: UInt64, epoch: Int, stream: UInt64) -> UInt64 {
        var z = seed &+ 0x9E37_79B9_7F4A_7C15 &* (UInt64(truncatingIfNeeded: epoch) &+ 1) &+ stream &* 0xD1B5_4A32_D192_ED03
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    // MARK: Training

    /// Trains until `epochs` epochs are complete (counting epochs restored from a
    /// checkpoint) or early stopping triggers. With early stopping and `restoreBest`,
    /// the model ends with the weights of the best epoch in both endings.
    @discardableResult
    public func fit(train: any Dataset, dev: (any Dataset)? = nil, epochs: Int) throws -> [EpochRecord] {
        precondition(train.count > 0, "Trainer.fit: empty training set")
        let batchesPerEpoch = dropLast ? train.count / batchSize : (train.count + batchSize - 1) / batchSize
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
        let learningRate = schedule?.learningRate(epoch: epoch - 1, base: baseLearningRate) ?? optimizer.learningRate
        optimizer.learningRate = learningRate
        model.reseed(Trainer.derivedSeed(seed, epoch: epoch, stream: 2))
        var orderRNG = RandomGenerator(seed: Trainer.derivedSeed(seed, epoch: epoch, stream: 1))
        let order = orderRNG.permutation(train.count)
        let parameters = self.parameters
        let start = DispatchTime.now().uptimeNanoseconds
        var lossSum = 0.0
        var correct = 0
        var seen = 0
        var steps = 0
        var skipped = 0
        for b in 0..<batchesPerEpoch {
            let lower = b * batchSize
            let upper = min(lower + batchSize, train.count)
            let indices = Array(order[lower..<upper])
            let (x, labels) = train.batch(indices)
            let logits = model.forward(x, training: true)
            let (batchLoss, gradient) = loss.lossAndGradient(logits: logits, labels: labels)
            if !batchLoss.isFinite {
                if skipNonFinite { skipped += 1; continue }
                throw TrainingError.nonFiniteLoss(epoch: epoch, batch: b + 1, loss: batchLoss)
            }
            _ = model.backward(gradient)
            applyRegularizers(parameters)
            if skipNonFinite && !parameters.allSatisfy({ $0.gradient.isFinite }) {
                skipped += 1
                continue
            }
            if let clipNorm { clipGlobalNorm(parameters, maxNorm: clipNorm) }
            optimizer.step(parameters)
            lossSum += Double(batchLoss) * Double(labels.count)
            correct += countCorrect(logits, labels)
            seen += labels.count
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

    private func applyRegularizers(_ parameters: [Parameter]) {
        guard regularizer != nil || !layerRegularizers.isEmpty else { return }
        for p in parameters {
            if let r = regularizer(for: p) { r.addGradient(of: p.value, to: &p.gradient) }
        }
    }

    /// The total regularization penalty of the current weights.
    public func penalty() -> Float {
        guard regularizer != nil || !layerRegularizers.isEmpty else { return 0 }
        var total: Float = 0
        for p in parameters { if let r = regularizer(for: p) { total += r.penalty(p.value) } }
        return total
    }

    /// Scales all gradients so that their global L2 norm is at most `maxNorm`.
    private func clipGlobalNorm(_ parameters: [Parameter], maxNorm: Float) {
        var sumSquares: Double = 0
        for p in parameters { let n = Double(p.gradient.l2Norm()); sumSquares += n * n }
        let norm = Float(sumSquares.squareRoot())
        if norm > maxNorm, norm.isFinite {
            let scale = maxNorm / norm
            for p in parameters { p.gradient *= scale }
        }
    }

    // MARK: Evaluation

    /// Loss, accuracy, confusion matrix and predictions on `data`, in evaluation mode.
    public func evaluate(_ data: any Dataset) -> Evaluation {
        Trainer.evaluate(model: model, data: data, batchSize: evaluationBatchSize)
    }

    /// Evaluates any model on any dataset (mean softmax cross-entropy and accuracy).
    public static func evaluate(model: Sequential, data: any Dataset, batchSize: Int = 1000) -> Evaluation {
        var confusion = ConfusionMatrix(classNames: data.classNames)
        var predictions: [Int] = []
        predictions.reserveCapacity(data.count)
        var lossSum = 0.0
        let loss = SoftmaxCrossEntropy()
        var lower = 0
        while lower < data.count {
            let upper = min(lower + batchSize, data.count)
            let (x, labels) = data.batch(Array(lower..<upper))
            let logits = model.forward(x, training: false)
            let (batchLoss, _) = loss.lossAndGradient(logits: logits, labels: labels)
            lossSum += Double(batchLoss) * Double(labels.count)
            let predicted = logits.argmaxIndices()
            confusion.add(labels: labels, predictions: predicted)
            predictions += predicted
            lower = upper
        }
        return Evaluation(loss: data.count > 0 ? lossSum / Double(data.count) : .nan, confusion: confusion, predictions: predictions)
    }

    /// Class probabilities (softmax of the logits) for `inputs` `[n] + inputShape`.
    public static func predictProbabilities(model: Sequential, inputs: Tensor, batchSize: Int = 1000) -> Tensor {
        let n = inputs.shape.first ?? 0
        var parts: [Tensor] = []
        var lower = 0
        let loss = SoftmaxCrossEntropy()
        while lower < n {
            let upper = min(lower + batchSize, n)
            parts.append(loss.probabilities(model.forward(inputs.rows(lower..<upper), training: false)))
            lower = upper
        }
        return Tensor.concatenate(parts)
    }

    private func countCorrect(_ logits: Tensor, _ labels: [Int]) -> Int {
        var correct = 0
        for (p, y) in zip(logits.argmaxIndices(), labels) where p == y { correct += 1 }
        return correct
    }
}

/// Errors that stop training.
public enum TrainingError: Error, CustomStringConvertible, Sendable {
    case nonFiniteLoss(epoch: Int, batch: Int, loss: Float)
    case allStepsSkipped(epoch: Int, skipped: Int)
    case checkpoint(String)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let epoch, let batch, let loss):
            return "training diverged: loss is \(loss) at epoch \(epoch), batch \(batch) (lower the learning rate, or pass --skip-nonfinite to skip such steps)"
        case .allStepsSkipped(let epoch, let skipped):
            return "training diverged: all \(skipped) steps of epoch \(epoch) had a non-finite loss or gradient"
        case .checkpoint(let message):
            return message
        }
    }
}
