import KilnTensor

/// Updates parameters from their gradients, keeping per-parameter state.
///
/// The contract the training loop relies on:
///
/// ```swift
/// let optimizer = try optimizers.make("adam(lr=0.001)")
/// optimizer.groups = [ParameterGroup(matching: { !$0.isRegularized }, weightDecay: 0)]
/// for epoch in 0..<epochs {
///     optimizer.learningRate = schedule.learningRate(epoch: epoch, base: 0.001)
///     for batch in batches {
///         model.backward(...)                 // fills every p.gradient
///         optimizer.step(model.parameters)    // reads p.gradient, writes p.value in place
///     }
/// }
/// let saved = optimizer.stateSnapshot()        // and later, in a fresh process:
/// try fresh.restore(saved)                     // fresh continues bit-identically
/// ```
///
/// ## Implementation requirements
///
/// - `step(_:)` reads each `Parameter.gradient` and updates `Parameter.value` in place,
///   without changing its shape. It must not change the gradients. Each call is one step;
///   per-parameter state (velocities, moments, step counts) is keyed by `Parameter.name`
///   and created lazily on a parameter's first step, so parameter names must be unique.
/// - `learningRate` may change between any two steps and takes effect at the next step.
///   An optimizer run at learning rate 0 from its first step leaves every value unchanged
///   (later, a velocity may carry earlier rates, as in ``Momentum``).
/// - `stateSnapshot()` returns a copy (later steps do not change it). A fresh optimizer
///   made from the same spec and given `restore(_:)` of that snapshot continues exactly as
///   the original would have (bit-identical values). `restore` throws
///   ``OptimizerStateError`` for a state that does not fit (unknown or missing slots,
///   shapes that disagree, state of another optimizer type) and then leaves the optimizer
///   unchanged.
/// - Deterministic: the same gradients in the same order give the same values.
/// - `description` is the optimizer's spec (`"adam(lr=0.001)"`): making it from
///   ``optimizers`` gives an optimizer with the same behaviour.
///
/// ``checkOptimizerConformance(registry:steps:make:)`` tests all of these; run it on your own
/// optimizer. The easiest way to write one is ``PerParameterOptimizer``, which needs only
/// the per-parameter update rule and its state slots.
public protocol Optimizer: AnyObject, CustomStringConvertible {
    /// The learning rate of the next step (before any ``ParameterGroup`` override or scale).
    var learningRate: Float { get set }

    /// Per-parameter overrides of learning rate and weight decay; see ``ParameterGroup``
    /// for the precedence. Empty by default.
    var groups: [ParameterGroup] { get set }

    /// One update of every parameter from its gradient.
    func step(_ parameters: [Parameter])

    /// The same step using up to `threads` threads; bit-identical to ``step(_:)``.
    /// Default: ``step(_:)`` on the calling thread. ``PerParameterOptimizer`` updates
    /// parameters (and ranges of elementwise rules) in parallel.
    func step(_ parameters: [Parameter], threads: Int)

    /// A copy of the optimizer's state: per-parameter tensors and scalars.
    func stateSnapshot() -> OptimizerState

    /// Replaces the state with a snapshot; throws ``OptimizerStateError`` when it does not fit.
    func restore(_ state: OptimizerState) throws

    /// Throws ``OptimizerStateError`` when the current (e.g. just restored) state does not
    /// fit these parameters: state for a name that is not among them, or of another shape.
    /// Call it after `restore(_:)` once the model is known.
    func checkState(fits parameters: [Parameter]) throws
}

extension Optimizer {
    public func step(_ parameters: [Parameter], threads: Int) { step(parameters) }

    /// Default: an optimizer without per-parameter state fits any parameters.
    public func checkState(fits parameters: [Parameter]) throws {}
}
