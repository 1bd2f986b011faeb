import KilnTensor

/// An optimizer written as a per-parameter update rule: the easy way to write one.
///
/// Conform with a class that owns an ``OptimizerStorage`` (which declares the state slots
/// and their initial values, like mlx's `newState`) and implements `update(_:)` (like
/// mlx's `applySingle`): one fused loop over one parameter's buffers. Everything else
/// (`learningRate`, `groups`, `step`, snapshots, restore, lazy state creation, step counts)
/// comes from this protocol's extension. A complete sign-SGD, registered by name:
///
/// ```swift
/// final class SignSGD: PerParameterOptimizer {
///     let storage: OptimizerStorage
///     init(learningRate: Float) { storage = OptimizerStorage(learningRate: learningRate) }
///     var description: String { "sign-sgd(lr=\(learningRate))" }
///     func update(_ u: ParameterUpdate) {
///         for i in 0..<u.count {
///             let g = u.gradient[i]
///             u.value[i] -= u.learningRate * (g > 0 ? 1 : g < 0 ? -1 : 0)
///         }
///     }
/// }
/// optimizers.register("sign-sgd") { spec in
///     SignSGD(learningRate: try spec.float("lr", at: 0, default: 0.01, in: 0...))
/// }
/// ```
public protocol PerParameterOptimizer: Optimizer {
    /// The learning rate, weight decay, groups and per-parameter state.
    var storage: OptimizerStorage { get }

    /// Updates one parameter in place. Called once per parameter per step with the
    /// parameter's values, gradient, state slots, effective learning rate and weight decay
    /// (after ``ParameterGroup`` resolution) and its step number (1 on its first step).
    /// When ``PerParameterOptimizer/isElementwise`` is true it may instead be called on several
    /// disjoint
    /// element ranges of the parameter (`value`, `gradient` and the slots cut alike), at
    /// the same time from different threads.
    func update(_ u: ParameterUpdate)

    /// Whether `update` treats every element on its own (it reads element i of the value,
    /// gradient and slots to write element i, and does not write ``ParameterUpdate/scalars``),
    /// so that ``Optimizer/step(_:threads:)`` may cut large parameters into ranges updated in
    /// parallel, with bit-identical results. Default: false (ranges are never cut; whole
    /// parameters still update in parallel). The built-ins except NAdam are elementwise.
    var isElementwise: Bool { get }
}

extension PerParameterOptimizer {
    public var learningRate: Float {
        get { storage.learningRate }
        set { storage.learningRate = newValue }
    }

    public var groups: [ParameterGroup] {
        get { storage.groups }
        set { storage.groups = newValue }
    }

    public var isElementwise: Bool { false }

    public func step(_ parameters: [Parameter]) {
        for parameter in parameters {
            storage.withUpdate(for: parameter) { update($0) }
        }
    }

    /// One step on up to `threads` threads: the per-parameter state is prepared in order
    /// (as ``step(_:)`` does), then the updates run in parallel, whole parameters or, for
    /// an ``isElementwise`` rule, ranges of ``OptimizerStorage/parallelChunk`` elements.
    /// Bit-identical to ``step(_:)``.
    public func step(_ parameters: [Parameter], threads: Int) {
        guard threads > 1 else { return step(parameters) }
        let updates = storage.prepareUpdates(parameters)
        let chunk = isElementwise ? OptimizerStorage.parallelChunk : Int.max
        var items: [(update: Int, range: Range<Int>)] = []
        for (i, u) in updates.enumerated() {
            var lower = 0
            while lower < u.count {
                let upper = lower + min(chunk, u.count - lower)
                items.append((i, lower..<upper))
                lower = upper
            }
        }
        Parallel.forEach(items.count, threads: threads) { k, _ in
            let (i, range) = items[k]
            update(range.count == updates[i].count ? updates[i] : updates[i].slice(range))
        }
    }

    /// One step taken range by range, for an ``isElementwise`` rule (nil otherwise): the
    /// per-parameter state is prepared now, in order (the step counts advance, as in
    /// `step(_:)`), and the function returned updates elements `range` of
    /// `parameters[i]`. Calling it once on every range of a partition of every parameter,
    /// in any order and from any threads (ranges of one step must not overlap), is
    /// bit-identical to `step(_:)`. The trainer uses it to update each range right after
    /// summing its shard gradients, while they are still in cache. The function is valid
    /// until the parameters' gradients or values are next resized or replaced.
    public func rangeStep(_ parameters: [Parameter]) -> ((_ i: Int, _ range: Range<Int>) -> Void)? {
        guard isElementwise else { return nil }
        let updates = storage.prepareUpdates(parameters)
        return { i, range in
            let u = updates[i]
            self.update(range.count == u.count ? u : u.slice(range))
        }
    }

    public func stateSnapshot() -> OptimizerState { storage.snapshot() }

    public func restore(_ state: OptimizerState) throws { try storage.restore(state, owner: description) }

    /// Throws ``OptimizerStateError`` when the storage holds state for a parameter that is
    /// not among `parameters`, or of another shape.
    public func checkState(fits parameters: [Parameter]) throws { try storage.checkState(fits: parameters, owner: description) }
}

/// One parameter's update: what ``PerParameterOptimizer/update(_:)`` reads and writes.
///
/// The buffers are valid only during the call. `value` and the slots are written in place;
/// `gradient` is read-only.
public struct ParameterUpdate {
    /// The parameter being updated (its name, shape, `isRegularized`).
    public let parameter: Parameter
    /// The parameter's values, updated in place.
    public let value: UnsafeMutableBufferPointer<Float>
    /// The parameter's gradient.
    public let gradient: UnsafeBufferPointer<Float>
    /// The effective learning rate (groups applied).
    public let learningRate: Float
    /// The effective weight decay (groups applied; the optimizer's own when no group sets it).
    public let weightDecay: Float
    /// The parameter's step number: 1 on its first update.
    public let step: Int
    /// The per-parameter scalar slots, in the order the storage declares them.
    public let scalars: UnsafeMutableBufferPointer<Double>
    let slotBase: UnsafeMutablePointer<Float>
    /// Elements between the starts of two slots: the whole parameter's count (a slice
    /// of a parameter keeps its parameter's stride).
    let slotStride: Int

    /// The number of elements.
    public var count: Int { value.count }

    /// The per-element state slot `index` (in the order the storage declares), `count` long.
    @inline(__always)
    public func slot(_ index: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: slotBase + index * slotStride, count: value.count)
    }

    /// The same update restricted to the elements in `range` (for elementwise rules).
    func slice(_ range: Range<Int>) -> ParameterUpdate {
        ParameterUpdate(
            parameter: parameter, value: UnsafeMutableBufferPointer(rebasing: value[range]),
            gradient: UnsafeBufferPointer(rebasing: gradient[range]), learningRate: learningRate,
            weightDecay: weightDecay, step: step, scalars: scalars, slotBase: slotBase + range.lowerBound,
            slotStride: slotStride)
    }
}
