import KilnRegistry
import KilnTensor

/// Stops training when the monitored metric has not improved for `patience` epochs,
/// and keeps a copy of the weights of the best epoch to put back at the end.
///
/// Spec: `early-stopping(patience=3, monitor=loss, min_delta=0, restore_best=true)`.
///
/// - `monitor=loss`: lower is better; an epoch improves when metric < best − min_delta.
///   `monitor=accuracy`: higher is better; improves when metric > best + min_delta.
///   The first epoch with a non-NaN metric always improves. NaN never improves (a
///   diverged epoch counts as an epoch without improvement).
/// - `patience` (>= 1): ``update(epoch:metric:state:)`` returns true (stop) once
///   `patience` consecutive epochs have passed without improvement (Keras' rule), and
///   keeps returning true after that.
/// - `restore_best`: on each improvement the values of the given state (weights *and*
///   buffers such as batch-norm running statistics) are copied into ``bestSnapshot``;
///   ``restoreBest(into:)`` copies them back. Call it when training ends, whether it
///   stopped early or ran out of epochs: the weights of the last epoch are not the best
///   ones in either case. With `restore_best=false` no copies are kept and
///   `restoreBest(into:)` does nothing.
///
/// ```swift
/// let stopper = try EarlyStopping(parsing: "early-stopping(patience=5, monitor=accuracy)")
/// for epoch in 1...100 {
///     train(model); let accuracy = evaluate(model, dev)
///     if stopper.update(epoch: epoch, metric: accuracy, state: model.parameters + model.buffers) { break }
/// }
/// stopper.restoreBest(into: model.parameters + model.buffers)
/// ```
///
/// The parameters' `name`s key the snapshot, so they must be unique, and the same
/// parameters must be passed to every call.
public final class EarlyStopping: CustomStringConvertible {
    /// What the metric given to ``update(epoch:metric:state:)`` is.
    public enum Monitor: String, Sendable, CaseIterable, CustomStringConvertible {
        /// Lower is better.
        case loss
        /// Higher is better.
        case accuracy

        public var description: String { rawValue }
    }

    /// What is watched: the dev loss (lower is better) or the dev accuracy (higher is better).
    public let monitor: Monitor
    /// Epochs without improvement before stopping (>= 1).
    public let patience: Int
    /// The least change that counts as an improvement (>= 0).
    public let minDelta: Float
    /// Whether the best state is kept and ``restoreBest(into:)`` restores it.
    public let restoreBest: Bool

    /// The epoch of the best metric so far (nil before the first non-NaN metric).
    public private(set) var bestEpoch: Int?
    /// The best metric so far (nil before the first non-NaN metric).
    public private(set) var bestMetric: Float?
    /// Consecutive epochs without improvement.
    public private(set) var epochsWithoutImprovement = 0
    /// The epoch at which ``update(epoch:metric:state:)`` first returned true.
    public private(set) var stoppedEpoch: Int?
    /// The state's values at ``bestEpoch``, by parameter name (empty without `restoreBest`).
    public private(set) var bestSnapshot: [String: Tensor] = [:]

    /// An early stopper that watches `monitor`, tolerates `patience` epochs without an
    /// improvement larger than `minDelta`, and keeps the best weights when `restoreBest`.
    ///
    /// - Precondition: `patience >= 1`, `minDelta` finite and >= 0.
    public init(monitor: Monitor = .loss, patience: Int = 3, minDelta: Float = 0, restoreBest: Bool = true) {
        precondition(patience >= 1, "EarlyStopping: patience must be >= 1, got \(patience)")
        precondition(minDelta >= 0 && minDelta.isFinite, "EarlyStopping: minDelta must be finite and >= 0, got \(minDelta)")
        self.monitor = monitor
        self.patience = patience
        self.minDelta = minDelta
        self.restoreBest = restoreBest
    }

    /// Makes an early stopper from `early-stopping(patience=3, monitor=loss, min_delta=0, restore_best=true)`
    /// (patience may be positional: `early-stopping(5)`).
    ///
    /// - Throws: `SpecArgumentError` for another name, a bad or unknown argument.
    public convenience init(spec: Spec) throws {
        let spec = spec.freshCopy()
        guard spec.name == "early-stopping" else {
            throw SpecArgumentError(spec: spec, key: nil, message: "expected early-stopping(...), found '\(spec.name)'")
        }
        let patience = try spec.int("patience", at: 0, default: 3, in: 1...)
        let monitor = Monitor(rawValue: try spec.word("monitor", default: "loss", oneOf: Monitor.allCases.map(\.rawValue)))!
        let minDelta = try spec.float("min_delta", default: 0)
        guard minDelta.isFinite, minDelta >= 0 else {
            throw SpecArgumentError(spec: spec, key: "min_delta", message: "must be finite and >= 0, got \(Spec.format(minDelta))")
        }
        let restoreBest = try spec.bool("restore_best", default: true)
        try spec.checkAllArgumentsUsed()
        self.init(monitor: monitor, patience: patience, minDelta: minDelta, restoreBest: restoreBest)
    }

    /// Parses `text` and makes an early stopper (see ``init(spec:)``).
    ///
    /// - Throws: `SpecError` for malformed text, `SpecArgumentError` for bad arguments.
    public convenience init(parsing text: String) throws {
        try self.init(spec: try Spec(parsing: text))
    }

    /// Whether `metric` improves on the best so far (NaN never does).
    public func isImprovement(_ metric: Float) -> Bool {
        if metric.isNaN { return false }
        guard let best = bestMetric else { return true }
        switch monitor {
        case .loss: return metric < best - minDelta
        case .accuracy: return metric > best + minDelta
        }
    }

    /// Records the metric of `epoch`. On an improvement, remembers it and (with
    /// `restoreBest`) copies the values of `state` into ``bestSnapshot``; otherwise
    /// counts an epoch without improvement.
    ///
    /// - Returns: true when training should stop (`patience` epochs without improvement).
    @discardableResult
    public func update(epoch: Int, metric: Float, state: [Parameter]) -> Bool {
        if isImprovement(metric) {
            bestMetric = metric
            bestEpoch = epoch
            epochsWithoutImprovement = 0
            if restoreBest { snapshot(state) }
        } else {
            epochsWithoutImprovement += 1
        }
        if stoppedEpoch == nil && epochsWithoutImprovement >= patience { stoppedEpoch = epoch }
        return stoppedEpoch != nil
    }

    /// Copies the best epoch's values back into `state` (the same parameters given to
    /// ``update(epoch:metric:state:)``). Does nothing before any improvement or without
    /// `restoreBest`.
    ///
    /// - Precondition: every parameter of `state` was in the snapshot, with its shape.
    public func restoreBest(into state: [Parameter]) {
        guard restoreBest, bestEpoch != nil else { return }
        for p in state {
            guard let saved = bestSnapshot[p.name] else {
                preconditionFailure("EarlyStopping.restoreBest: no saved value for parameter '\(p.name)'")
            }
            precondition(saved.shape == p.value.shape,
                         "EarlyStopping.restoreBest: '\(p.name)' has shape \(p.value.shape), saved \(saved.shape)")
            p.value.withUnsafeMutableBufferPointer { dst in
                saved.withUnsafeBufferPointer { src in copy(src, into: dst) }
            }
        }
    }

    /// Throws unless ``bestSnapshot`` holds a value of the right shape for every
    /// parameter of `state` (nothing to check before an improvement or without
    /// `restoreBest`). Call it after ``restore(state:best:)`` from a file, so that a
    /// checkpoint that does not fit the model is an error rather than a failed
    /// precondition in ``restoreBest(into:)``.
    public func checkSnapshot(fits state: [Parameter]) throws(EarlyStoppingError) {
        guard restoreBest, bestEpoch != nil else { return }
        for p in state {
            guard let saved = bestSnapshot[p.name] else {
                throw EarlyStoppingError("early-stopping has no saved best value for parameter '\(p.name)'")
            }
            guard saved.shape == p.value.shape else {
                throw EarlyStoppingError("early-stopping's saved '\(p.name)' has shape \(saved.shape), the model's has \(p.value.shape)")
            }
        }
    }

    /// Forgets the best epoch, the snapshot and the counters (a fresh run).
    public func reset() {
        bestEpoch = nil
        bestMetric = nil
        epochsWithoutImprovement = 0
        stoppedEpoch = nil
        bestSnapshot = [:]
    }

    /// The counters as named numbers, for checkpoints (with ``bestSnapshot`` for the
    /// tensors). Absent keys mean nil.
    public func stateSnapshot() -> [String: Double] {
        var state: [String: Double] = ["epochs_without_improvement": Double(epochsWithoutImprovement)]
        if let bestEpoch { state["best_epoch"] = Double(bestEpoch) }
        if let bestMetric { state["best_metric"] = Double(bestMetric) }
        if let stoppedEpoch { state["stopped_epoch"] = Double(stoppedEpoch) }
        return state
    }

    /// Restores what ``stateSnapshot()`` and ``bestSnapshot`` saved.
    ///
    /// - Throws: ``EarlyStoppingError`` for an unknown key, a non-integral count, or
    ///   a best epoch without its snapshot (with `restoreBest`).
    public func restore(state: [String: Double], best: [String: Tensor]) throws {
        let known: Set<String> = ["epochs_without_improvement", "best_epoch", "best_metric", "stopped_epoch"]
        if let unknown = state.keys.sorted().first(where: { !known.contains($0) }) {
            throw EarlyStoppingError("unknown early-stopping state key '\(unknown)'")
        }
        func integer(_ key: String) throws -> Int? {
            guard let x = state[key] else { return nil }
            guard x == x.rounded(), x >= 0, x < 1e15 else {
                throw EarlyStoppingError("early-stopping state '\(key)' must be a non-negative integer, found \(x)")
            }
            return Int(x)
        }
        guard let wait = try integer("epochs_without_improvement") else {
            throw EarlyStoppingError("early-stopping state has no 'epochs_without_improvement'")
        }
        let epoch = try integer("best_epoch")
        let metric = state["best_metric"].map(Float.init)
        guard (epoch == nil) == (metric == nil) else {
            throw EarlyStoppingError("early-stopping state needs both 'best_epoch' and 'best_metric' or neither")
        }
        if restoreBest && epoch != nil && best.isEmpty {
            throw EarlyStoppingError("early-stopping state has a best epoch but no saved best weights")
        }
        epochsWithoutImprovement = wait
        bestEpoch = epoch
        bestMetric = metric
        stoppedEpoch = try integer("stopped_epoch")
        bestSnapshot = restoreBest ? best : [:]
    }

    /// `early-stopping(patience=3, monitor=loss, min_delta=0, restore_best=true)`.
    public var description: String {
        "early-stopping(patience=\(patience), monitor=\(monitor), min_delta=\(Spec.format(minDelta)), restore_best=\(restoreBest))"
    }

    private func snapshot(_ state: [Parameter]) {
        var seen = Set<String>()
        for p in state {
            precondition(seen.insert(p.name).inserted, "EarlyStopping: two parameters are named '\(p.name)'")
            if bestSnapshot[p.name]?.shape == p.value.shape {
                // Copy into the existing buffer: no allocation after the first improvement.
                bestSnapshot[p.name]!.withUnsafeMutableBufferPointer { dst in
                    p.value.withUnsafeBufferPointer { src in copy(src, into: dst) }
                }
            } else {
                // A real copy, so the parameter's own buffer stays unshared (no copy-on-write
                // in the optimizer's next in-place update).
                bestSnapshot[p.name] = Tensor(shape: p.value.shape, unsafeUninitialized: { dst in
                    p.value.withUnsafeBufferPointer { src in copy(src, into: dst) }
                })
            }
        }
        if bestSnapshot.count != seen.count {
            bestSnapshot = bestSnapshot.filter { seen.contains($0.key) }
        }
    }
}

@inline(__always)
private func copy(_ src: UnsafeBufferPointer<Float>, into dst: UnsafeMutableBufferPointer<Float>) {
    precondition(src.count == dst.count)
    guard let from = src.baseAddress, let to = dst.baseAddress else { return }
    to.update(from: from, count: src.count)
}
