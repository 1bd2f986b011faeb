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
    func update(_ u: ParameterUpdate)
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

    public func step(_ parameters: [Parameter]) {
        for parameter in parameters {
            storage.withUpdate(for: parameter) { update($0) }
        }
    }

    public func stateSnapshot() -> OptimizerState { storage.snapshot() }

    public func restore(_ state: OptimizerState) throws { try storage.restore(state, owner: description) }

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

    /// The number of elements.
    public var count: Int { value.count }

    /// The per-element state slot `index` (in the order the storage declares), `count` long.
    @inline(__always)
    public func slot(_ index: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: slotBase + index * value.count, count: value.count)
    }
}
