import KilnRegistry
import KilnTensor

/// `l2(lambda=0.01)`: penalty (λ/2)·‖w‖² = (λ/2)·Σ w², gradient λ·w ("weight decay").
///
/// The gradient pulls every weight towards 0 in proportion to its size, so large weights
/// shrink fast and none becomes exactly 0.
///
/// **Relation to the course notes.** The notes write the regularized cost as
/// J = (1/m)·Σᵢ L⁽ⁱ⁾ + (λ/2m)·‖w‖² over the m training examples (full-batch gradient
/// descent), so the penalty gradient is (λ/m)·w. Kiln's losses are the *mean* over the
/// batch (an estimate of the same (1/m)·Σ term) and this penalty is added once per step,
/// so `lambda` here equals λ_notes / m: the notes' λ = 0.7 with m = 5000 training
/// examples is `l2(lambda=0.00014)`.
/// PyTorch's `weight_decay=λ` on SGD adds the same gradient λ·w; Keras' `L2(l)` is
/// l·Σw² (no ½), i.e. `lambda` = 2·l.
///
/// Spec: `l2(1e-4)` or `l2(lambda=1e-4)`; lambda >= 0 (default 0.01, Keras' default).
public struct L2: Regularizer, Equatable {
    /// The strength λ (>= 0).
    public var lambda: Float

    /// An L2 penalty of strength `lambda` (at least 0, default 0.01).
    public init(lambda: Float = 0.01) {
        precondition(lambda >= 0 && lambda.isFinite, "l2: lambda must be finite and >= 0, got \(lambda)")
        self.lambda = lambda
    }

    public func penalty(_ weights: Tensor) -> Float {
        let sumOfSquares = weights.withUnsafeBufferPointer { w in
            var s: Double = 0
            for x in w { s += Double(x) * Double(x) }
            return s
        }
        return Float(0.5 * Double(lambda) * sumOfSquares)
    }

    public func gradient(_ weights: Tensor) -> Tensor {
        var g = Tensor.zeros(weights.shape)
        addGradient(of: weights, to: &g)
        return g
    }

    /// g += λ·w in one pass.
    public func addGradient(of weights: Tensor, to gradient: inout Tensor) {
        precondition(weights.shape == gradient.shape, "l2.addGradient: weights \(weights.shape) and gradient \(gradient.shape) differ")
        let l = lambda
        gradient.withUnsafeMutableBufferPointer { g in
            weights.withUnsafeBufferPointer { w in
                for i in 0..<g.count { g[i] += l * w[i] }
            }
        }
    }

    public var description: String { "l2(lambda=\(Spec.format(lambda)))" }
}
