import Foundation
import KilnLayers
import KilnRegistry
import KilnOptimizers
import KilnRegularizers
import KilnTensor

/// Saving and restoring training state as safetensors.
///
/// Tensor names: `model/<parameter or buffer name>` (the model's weights, e.g.
/// `model/0.dense.weight`), `optimizer/<state key>` (moments, velocities),
/// `best/<name>` (early stopping's best weights). Metadata (strings):
/// `kiln.format` = "1", `kiln.model` (the model spec), `kiln.input_shape` ("1,28,28"),
/// `kiln.class_names` (JSON array), `kiln.epoch` (completed epochs), `kiln.seed`,
/// `kiln.optimizer` (spec), `kiln.optimizer_scalars`, `kiln.schedule_state`,
/// `kiln.loss` (spec), `kiln.early_stopping`, `kiln.history` (JSON lines of the epoch records), `kiln.shards`
/// (the shard count: a resumed run takes it over, so it continues the same computation).
///
/// A model file (`--save`) holds the `model/` tensors and the spec metadata only; a
/// checkpoint holds everything needed for `--resume` to continue bit-identically.
extension Trainer {
    /// The model alone: weights, buffers, spec, input shape, class names
    /// (``KilnLayers/Sequential/modelFile(classNames:metadata:)`` with `inputShape` written
    /// as given).
    public static func modelFile(model: Sequential, inputShape: [Int], classNames: [String], extraMetadata: [String: String] = [:]) -> SafeTensors {
        var file = model.modelFile(classNames: classNames, metadata: extraMetadata)
        file.metadata["kiln.input_shape"] = inputShape.map(String.init).joined(separator: ",")
        return file
    }

    /// Everything needed to resume: model, optimizer state, epoch, history, schedule and
    /// early-stopping state.
    public func checkpoint(inputShape: [Int], classNames: [String]) -> SafeTensors {
        var file = Trainer.modelFile(model: model, inputShape: inputShape, classNames: classNames)  // the model's file, plus:
        let state = optimizer.stateSnapshot()
        for (k, t) in state.tensors { file.tensors["optimizer/" + k] = t }
        file.metadata["kiln.optimizer"] = optimizer.description
        file.metadata["kiln.loss"] = loss.description
        file.metadata["kiln.optimizer_scalars"] = encodeScalars(state.scalars)
        file.metadata["kiln.epoch"] = "\(completedEpochs)"
        file.metadata["kiln.seed"] = "\(seed)"
        file.metadata["kiln.shards"] = "\(effectiveShards)"
        if !frozenLayers.isEmpty { file.metadata["kiln.frozen"] = frozenLayers.sorted().joined(separator: ",") }
        file.metadata["kiln.base_learning_rate"] = "\(baseLearningRate)"
        file.metadata["kiln.history"] = history.map(\.json).joined(separator: "\n")
        if let schedule {
            file.metadata["kiln.schedule"] = schedule.description
            file.metadata["kiln.schedule_state"] = encodeScalars(schedule.stateSnapshot())
        }
        if let earlyStopping {
            file.metadata["kiln.early_stopping"] = encodeScalars(earlyStopping.stateSnapshot())
            for (name, t) in earlyStopping.bestSnapshot { file.tensors["best/" + name] = t }
        }
        return file
    }

    /// Restores a checkpoint written by `checkpoint(...)` into this trainer, whose model
    /// must have been built from the same spec.
    ///
    /// Every field is checked before anything changes: the epoch count (0 … 1,000,000,
    /// with one history record per epoch), the seed (it must be this trainer's: the run's
    /// shuffles and dropout derive from it), the optimizer (the same rule and
    /// hyper-parameters; the learning rate may differ, since a schedule changes it), the
    /// base learning rate, the shard count, and every model tensor. A malformed or
    /// inconsistent value is a ``TrainingError/checkpoint(_:)`` naming the field.
    public func restore(from file: SafeTensors) throws {
        func fail(_ field: String, _ message: String) -> TrainingError { .checkpoint("checkpoint field \(field): \(message)") }
        guard let epochText = file.metadata["kiln.epoch"] else {
            throw TrainingError.checkpoint("checkpoint has no epoch count (is it a model file rather than a checkpoint?)")
        }
        guard let epoch = Int(epochText), (0...1_000_000).contains(epoch) else { throw fail("kiln.epoch", "'\(epochText)' is not a count of epochs") }
        if let text = file.metadata["kiln.seed"] {
            guard let saved = UInt64(text) else { throw fail("kiln.seed", "'\(text)' is not an unsigned 64-bit integer") }
            guard saved == seed else { throw fail("kiln.seed", "the run was trained with seed \(saved), this one has seed \(seed) (pass --seed \(saved))") }
        }
        if let text = file.metadata["kiln.optimizer"] {
            try Trainer.checkSameOptimizer(saved: text, current: optimizer.description).map { throw fail("kiln.optimizer", $0) }
        }
        if let text = file.metadata["kiln.loss"], text != loss.description {
            throw fail("kiln.loss", "the run was trained with --loss \(text), this one uses \(loss.description)")
        }
        var savedBaseRate: Float?
        if let text = file.metadata["kiln.base_learning_rate"] {
            guard let lr = Float(text), lr.isFinite, lr > 0 else { throw fail("kiln.base_learning_rate", "'\(text)' is not a positive number") }
            savedBaseRate = lr
        }
        var savedShards: Int?
        if let text = file.metadata["kiln.shards"] {
            guard let saved = Int(text), saved >= 1, saved <= Parallel.maximumThreads else {
                throw TrainingError.checkpoint("checkpoint has a malformed shard count '\(text)'")
            }
            savedShards = saved
        }
        let records: [EpochRecord]
        do { records = try (file.metadata["kiln.history"] ?? "").split(separator: "\n").map { try decodeRecord(String($0)) } } catch {
            throw fail("kiln.history", "\(error)")
        }
        guard records.count == epoch else { throw fail("kiln.history", "\(records.count) records for \(epoch) epochs") }
        let savedFrozen = Set((file.metadata["kiln.frozen"] ?? "").split(separator: ",").map(String.init))
        guard savedFrozen == frozenLayers else {
            throw fail("kiln.frozen", "the run froze [\(savedFrozen.sorted().joined(separator: ", "))], this one freezes [\(frozenLayers.sorted().joined(separator: ", "))]")
        }
        try Trainer.checkModelTensors(model, in: file)

        try Trainer.loadModel(model, from: file)
        var tensors: [String: Tensor] = [:]
        for (k, t) in file.tensors where k.hasPrefix("optimizer/") { tensors[String(k.dropFirst("optimizer/".count))] = t }
        do {
            try optimizer.restore(OptimizerState(tensors: tensors, scalars: try decodeScalars(file.metadata["kiln.optimizer_scalars"] ?? "")))
            try optimizer.checkState(fits: trainableParameters)
        } catch {
            throw TrainingError.checkpoint("checkpoint does not fit the optimizer \(optimizer): \(error)")
        }
        if let savedShards { shards = savedShards }
        completedEpochs = epoch
        if let savedBaseRate { baseLearningRate = savedBaseRate }
        history = records
        if let schedule, let text = file.metadata["kiln.schedule_state"] {
            try schedule.restore(try decodeScalars(text))
        }
        if let earlyStopping, let text = file.metadata["kiln.early_stopping"] {
            var best: [String: Tensor] = [:]
            for (k, t) in file.tensors where k.hasPrefix("best/") { best[String(k.dropFirst("best/".count))] = t }
            try earlyStopping.restore(state: try decodeScalars(text), best: best)
            try earlyStopping.checkSnapshot(fits: modelState)
        }
    }

    /// nil when two optimizer specs name the same rule with the same hyper-parameters
    /// (`lr` aside), else what differs.
    static func checkSameOptimizer(saved: String, current: String) -> String? {
        guard let a = try? Spec(parsing: saved) else { return "'\(saved)' is not an optimizer spec" }
        guard let b = try? Spec(parsing: current) else { return nil }
        let strip = { (s: Spec) in s.arguments.filter { $0.key != "lr" && $0.key != nil } }
        guard a.name == b.name, strip(a) == strip(b) else {
            return "the run was trained with \(saved), this one uses \(current)"
        }
        return nil
    }

    /// Throws unless every parameter and buffer of `model` has an F32 tensor of its shape
    /// in `file` (nothing is assigned).
    static func checkModelTensors(_ model: Sequential, in file: SafeTensors) throws {
        for p in model.parameters + model.buffers {
            if let other = file.otherTensors["model/" + p.name] {
                throw TrainingError.checkpoint("model tensor '\(p.name)' is \(other.dtype); Kiln models are F32")
            }
            guard let t = file.tensors["model/" + p.name] else {
                throw TrainingError.checkpoint("model file has no tensor 'model/\(p.name)' (was it saved from a different model spec?)")
            }
            guard t.shape == p.value.shape else {
                throw TrainingError.checkpoint("model tensor '\(p.name)' has shape \(t.shape), the model expects \(p.value.shape)")
            }
        }
    }

    /// Loads the `model/` tensors of a model file or checkpoint into `model`; every
    /// parameter and buffer must be present with its shape.
    public static func loadModel(_ model: Sequential, from file: SafeTensors) throws {
        // All or nothing: every tensor is checked before any is assigned.
        try checkModelTensors(model, in: file)
        for p in model.parameters + model.buffers { p.value = file.tensors["model/" + p.name]! }
    }
}

/// `name=value` lines with values printed in Swift's round-trip form.
func encodeScalars(_ scalars: [String: Double]) -> String {
    scalars.keys.sorted().map { "\($0)=\(scalars[$0]!)" }.joined(separator: "\n")
}

func decodeScalars(_ text: String) throws -> [String: Double] {
    var result: [String: Double] = [:]
    for line in text.split(separator: "\n") where !line.isEmpty {
        guard let eq = line.lastIndex(of: "="), let value = Double(line[line.index(after: eq)...]) else {
            throw TrainingError.checkpoint("malformed checkpoint scalar line '\(line)'")
        }
        result[String(line[..<eq])] = value
    }
    return result
}

extension EpochRecord {
    /// Parses one line of ``json`` (a checkpoint's or an ensemble part's history).
    public init(json line: String) throws { self = try decodeRecord(line) }
}

func decodeRecord(_ line: String) throws -> EpochRecord {
    // JSONDecoder reads numbers exactly (the text is Swift's shortest round-trip form), so
    // a record comes back bit-identical; JSONSerialization's NSNumbers may not.
    struct Line: Decodable {
        var epoch: Int?
        var train_loss, train_accuracy, penalty, dev_loss, dev_accuracy, learning_rate, seconds, samples_per_second: Double?
        var skipped_steps: Int?
    }
    guard let object = try? JSONDecoder().decode(Line.self, from: Data(line.utf8)) else {
        throw TrainingError.checkpoint("malformed history line in checkpoint")
    }
    return EpochRecord(
        epoch: object.epoch ?? 0, trainLoss: object.train_loss ?? .nan,
        trainAccuracy: object.train_accuracy ?? .nan, penalty: object.penalty ?? 0,
        devLoss: object.dev_loss, devAccuracy: object.dev_accuracy, learningRate: object.learning_rate ?? .nan,
        seconds: object.seconds ?? 0, samplesPerSecond: object.samples_per_second ?? 0,
        skippedSteps: object.skipped_steps ?? 0)
}
