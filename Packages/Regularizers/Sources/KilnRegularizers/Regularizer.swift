import KilnTensor

/// A penalty on a weight tensor that is added to the training loss, and its gradient.
///
/// The strength is part of the instance (`l2(lambda=1e-4)`): a layer given its own
/// regularizer instance has its own strength, and one instance may serve many layers.
/// Regularizers apply to weights only: parameters with `isRegularized == false`
/// (biases, normalization scales and shifts) are skipped by the helpers below and by
/// the trainer.
///
/// Training adds `penalty(w)` to the data loss and `∂penalty/∂w` to the weight's
/// gradient after the backward pass, on the hot path, through
/// ``addGradient(of:to:)``.
///
/// ## Implementation requirements
/// - `penalty(w)` is a finite scalar for finite weights, and 0 for all-zero weights.
/// - `gradient(w)` has `w`'s shape and is the derivative of `penalty` (where the penalty
///   has a kink, such as L1 at 0, return a subgradient; 0 is the convention here).
/// - `addGradient(of:to:)` adds exactly `gradient(w)` to `gradient` in place. The
///   default implementation allocates `gradient(w)` first; built-ins override it with
///   one fused loop and no temporary tensors. Override it when you care about speed.
/// - Results depend only on the weights (no hidden state, no randomness), so the same
///   weights give the same penalty and gradient on every call.
/// - `description` prints a spec that ``regularizers`` (or your own registry) turns
///   back into an equal regularizer.
///
/// ``checkRegularizerConformance(_:registry:seed:)`` checks these on any regularizer,
/// including your own:
///
/// ```swift
/// struct LogBarrier: Regularizer { ... }
/// let failures = checkRegularizerConformance(LogBarrier(...))
/// assert(failures.isEmpty, failures.joined(separator: "\n"))
/// ```
public protocol Regularizer: CustomStringConvertible, Sendable {
    /// The penalty added to the loss for `weights`.
    func penalty(_ weights: Tensor) -> Float

    /// ∂penalty/∂weights, with the shape of `weights`.
    func gradient(_ weights: Tensor) -> Tensor

    /// Adds `gradient(weights)` to `gradient` in place (the training hot path).
    /// `gradient` must have the shape of `weights` (a precondition).
    func addGradient(of weights: Tensor, to gradient: inout Tensor)
}

extension Regularizer {
    /// Default: allocates `gradient(weights)` and adds it. Built-ins override this.
    public func addGradient(of weights: Tensor, to gradient: inout Tensor) {
        precondition(weights.shape == gradient.shape,
                     "\(self).addGradient: weights \(weights.shape) and gradient \(gradient.shape) differ")
        gradient += self.gradient(weights)
    }

    /// The summed penalty of the regularized parameters (`isRegularized`) in `parameters`.
    public func penalty(of parameters: [Parameter]) -> Float {
        var total: Float = 0
        for p in parameters where p.isRegularized { total += penalty(p.value) }
        return total
    }

    /// Adds the penalty gradient to each regularized parameter's `gradient`, in place.
    public func addGradients(to parameters: [Parameter]) {
        for p in parameters where p.isRegularized { addGradient(of: p.value, to: &p.gradient) }
    }
}
