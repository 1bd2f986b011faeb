/// A learning rate as a function of the epoch, applied by the training loop:
/// `optimizer.learningRate = schedule.learningRate(epoch: e, base: lr0)` before epoch `e`.
///
/// Epochs are counted from 0: epoch 0 is the first pass over the training set, and every
/// schedule gives `base` (or `k · base` for `sqrt`, the start of warm-up for `cosine`) there.
/// `observe(metric:)` is called once after each epoch with the monitored metric (lower is
/// better, e.g. validation loss); only `reduce-on-plateau` uses it. Schedules with memory
/// save and restore it through `stateSnapshot()`/`restore(_:)`, so a resumed run continues
/// with the same rates; stateless ones save nothing and reject foreign state.
///
/// **Per-step schedules** (``updatesEveryStep`` true: `warmup-cosine`, `one-cycle`) change
/// the rate before every optimizer step instead: the trainer calls
/// ``begin(stepsPerEpoch:epochs:)`` when training starts, then sets
/// `optimizer.learningRate = schedule.learningRate(step: s, stepsPerEpoch: S, base: lr0)`
/// before step s (0-based, counted over the whole run: epoch e's step b is s = e·S + b).
/// They keep the run's length in their state, so a resumed run follows the same curve.
///
/// Built-ins, by name in ``schedules``: `constant`, `exponential(rate)`, `inverse-time(decay)`,
/// `step(every, factor)`, `sqrt(k)`, `cosine(total, min, warmup)`,
/// `reduce-on-plateau(factor, patience, min, threshold)`, and per step
/// `warmup-cosine(warmup, total, min)` and `one-cycle(total, pct_start, div, final_div)`.
public protocol LearningRateSchedule: AnyObject, CustomStringConvertible {
    /// The learning rate for `epoch` (0-based) given the base rate `base`.
    func learningRate(epoch: Int, base: Float) -> Float
    /// Records the metric at the end of an epoch (lower is better). Default: ignored.
    func observe(metric: Double)
    /// Whether ``observe(metric:)`` steers the rate, so the schedule wants a dev metric
    /// (bagging then hands a member its out-of-bag examples). Default: false.
    var observesMetric: Bool { get }
    /// The schedule's memory (empty for stateless schedules).
    func stateSnapshot() -> [String: Double]
    /// Restores `stateSnapshot()`; throws ``OptimizerStateError`` when it does not fit.
    func restore(_ state: [String: Double]) throws
    /// Whether the rate changes every step (see above). Default: false, once per epoch.
    var updatesEveryStep: Bool { get }
    /// Called when training starts with the steps per epoch and the epochs to run; a
    /// per-step schedule records the run's length (unless restored from a checkpoint).
    /// Default: nothing.
    func begin(stepsPerEpoch: Int, epochs: Int)
    /// The rate for step `step` of the run. Default: the rate of its epoch.
    func learningRate(step: Int, stepsPerEpoch: Int, base: Float) -> Float
}

extension LearningRateSchedule {
    public var updatesEveryStep: Bool { false }
    public var observesMetric: Bool { false }
    public func begin(stepsPerEpoch: Int, epochs: Int) {}
    public func learningRate(step: Int, stepsPerEpoch: Int, base: Float) -> Float {
        learningRate(epoch: step / max(1, stepsPerEpoch), base: base)
    }
    public func observe(metric: Double) {}
    public func stateSnapshot() -> [String: Double] { [:] }
    public func restore(_ state: [String: Double]) throws {
        guard state.isEmpty else {
            throw OptimizerStateError("cannot restore \(description): it keeps no state, got keys \(state.keys.sorted().joined(separator: ", "))")
        }
    }
}
