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
/// Built-ins, by name in ``schedules``: `constant`, `exponential(rate)`, `inverse-time(decay)`,
/// `step(every, factor)`, `sqrt(k)`, `cosine(total, min, warmup)`,
/// `reduce-on-plateau(factor, patience, min, threshold)`.
public protocol LearningRateSchedule: AnyObject, CustomStringConvertible {
    /// The learning rate for `epoch` (0-based) given the base rate `base`.
    func learningRate(epoch: Int, base: Float) -> Float
    /// Records the metric at the end of an epoch (lower is better). Default: ignored.
    func observe(metric: Double)
    /// The schedule's memory (empty for stateless schedules).
    func stateSnapshot() -> [String: Double]
    /// Restores `stateSnapshot()`; throws ``OptimizerStateError`` when it does not fit.
    func restore(_ state: [String: Double]) throws
}

extension LearningRateSchedule {
    public func observe(metric: Double) {}
    public func stateSnapshot() -> [String: Double] { [:] }
    public func restore(_ state: [String: Double]) throws {
        guard state.isEmpty else {
            throw OptimizerStateError("cannot restore \(description): it keeps no state, got keys \(state.keys.sorted().joined(separator: ", "))")
        }
    }
}
