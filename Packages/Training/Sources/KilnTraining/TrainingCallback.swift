/// What happened in one epoch.
public struct EpochRecord: Sendable, Equatable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Mean data loss over the epoch's training batches (in training mode, without the penalty).
    public var trainLoss: Double
    /// Accuracy on the training batches as they were trained (training mode).
    public var trainAccuracy: Double
    /// Regularization penalty at the end of the epoch (0 without regularizers).
    public var penalty: Double
    /// Dev-set loss and accuracy in evaluation mode (nil without a dev set).
    public var devLoss: Double?
    /// Dev-set accuracy in evaluation mode (nil without a dev set).
    public var devAccuracy: Double?
    /// The learning rate used in this epoch.
    public var learningRate: Double
    /// Wall time of the training part of the epoch (excluding evaluation).
    public var seconds: Double
    /// Training examples per second.
    public var samplesPerSecond: Double
    /// Steps skipped because the loss or gradients were not finite (`skipNonFinite`).
    public var skippedSteps: Int

    /// A record of epoch `epoch` (1-based) with its measurements.
    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, penalty: Double = 0, devLoss: Double? = nil,
                devAccuracy: Double? = nil, learningRate: Double, seconds: Double, samplesPerSecond: Double, skippedSteps: Int = 0) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.penalty = penalty
        self.devLoss = devLoss
        self.devAccuracy = devAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
        self.samplesPerSecond = samplesPerSecond
        self.skippedSteps = skippedSteps
    }

    /// One JSON object (no newline), keys in a fixed order.
    public var json: String {
        var fields: [(String, String)] = [
            ("epoch", "\(epoch)"), ("train_loss", jsonNumber(trainLoss)), ("train_accuracy", jsonNumber(trainAccuracy)),
        ]
        if penalty != 0 { fields.append(("penalty", jsonNumber(penalty))) }
        if let devLoss { fields.append(("dev_loss", jsonNumber(devLoss))) }
        if let devAccuracy { fields.append(("dev_accuracy", jsonNumber(devAccuracy))) }
        fields += [("learning_rate", jsonNumber(learningRate)), ("seconds", jsonNumber(seconds)),
                   ("samples_per_second", jsonNumber(samplesPerSecond)), ("skipped_steps", "\(skippedSteps)")]
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// CSV header matching `csvRow`.
    public static let csvHeader = "epoch,train_loss,train_accuracy,penalty,dev_loss,dev_accuracy,learning_rate,seconds,samples_per_second,skipped_steps"

    /// One CSV line in the order of `csvHeader` (empty fields for missing dev values).
    public var csvRow: String {
        [
            "\(epoch)", "\(trainLoss)", "\(trainAccuracy)", "\(penalty)", devLoss.map { "\($0)" } ?? "",
            devAccuracy.map { "\($0)" } ?? "", "\(learningRate)", "\(seconds)", "\(samplesPerSecond)", "\(skippedSteps)",
        ].joined(separator: ",")
    }
}

/// A JSON number (`null` for NaN and infinities, which JSON cannot represent).
public func jsonNumber(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }

/// Hooks into the training loop. All methods have empty defaults.
///
/// Callbacks run on the training thread between steps; keep `batchDidEnd` cheap.
/// Throwing from `epochDidEnd` stops training with that error (after the callbacks of
/// that epoch that come before it).
public protocol TrainingCallback: AnyObject {
    /// Called once before the first epoch of `fit` (`startEpoch` > 1 after a restore).
    func trainingWillStart(epochs: Int, startEpoch: Int, batchesPerEpoch: Int, examplesPerEpoch: Int)
    /// Called before epoch `epoch` (1-based) draws its first batch.
    func epochWillStart(epoch: Int)
    /// Called after every training batch with its loss and the current speed; keep it cheap.
    func batchDidEnd(epoch: Int, batch: Int, batches: Int, loss: Float, samplesPerSecond: Double)
    /// Called after every epoch (and its dev evaluation); throwing stops training with the error.
    func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws
    /// Called once when `fit` ends, with the whole history and whether early stopping ended it.
    func trainingDidEnd(history: [EpochRecord], stoppedEarly: Bool)
}

extension TrainingCallback {
    /// Does nothing.
    public func trainingWillStart(epochs: Int, startEpoch: Int, batchesPerEpoch: Int, examplesPerEpoch: Int) {}
    public func epochWillStart(epoch: Int) {}
    /// Does nothing.
    public func batchDidEnd(epoch: Int, batch: Int, batches: Int, loss: Float, samplesPerSecond: Double) {}
    /// Does nothing.
    public func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws {}
    /// Does nothing.
    public func trainingDidEnd(history: [EpochRecord], stoppedEarly: Bool) {}
}
