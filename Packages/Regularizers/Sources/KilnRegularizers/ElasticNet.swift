import KilnRegistry
import KilnTensor

/// `elastic-net(l1=0.01, l2=0.01)`: L1 and L2 together (Zou and Hastie):
/// penalty l1·Σ|w| + (l2/2)·Σw², gradient l1·sign(w) + l2·w (sign(0) = 0).
///
/// Each part has exactly the semantics of ``L1`` and ``L2`` (note the ½ on the L2 part,
/// so `elastic-net(l1=0, l2=x)` equals `l2(x)`). Keras' `L1L2(l1, l2)` has no ½:
/// its `l2` is half of this one.
public struct ElasticNet: Regularizer, Equatable {
    /// The L1 strength (>= 0).
    public var l1: Float
    /// The L2 strength (>= 0).
    public var l2: Float

    /// An elastic net with L1 strength `l1` and L2 strength `l2` (both at least 0, default 0.01).
    public init(l1: Float = 0.01, l2: Float = 0.01) {
        precondition(l1 >= 0 && l1.isFinite && l2 >= 0 && l2.isFinite,
                     "elastic-net: l1 and l2 must be finite and >= 0, got \(l1), \(l2)")
        self.l1 = l1
        self.l2 = l2
    }

    public func penalty(_ weights: Tensor) -> Float {
        let (sumOfAbs, sumOfSquares) = weights.withUnsafeBufferPointer { w in
            var a: Double = 0, s: Double = 0
            for x in w {
                a += Double(Swift.abs(x))
                s += Double(x) * Double(x)
            }
            return (a, s)
        }
        return Float(Double(l1) * sumOfAbs + 0.5 * Double(l2) * sumOfSquares)
    }

    public func gradient(_ weights: Tensor) -> Tensor {
        var g = Tensor.zeros(weights.shape)
        addGradient(of: weights, to: &g)
        return g
    }

    /// g += l1·sign(w) + l2·w in one pass.
    public func addGradient(of weights: Tensor, to gradient: inout Tensor) {
        precondition(weights.shape == gradient.shape,
                     "elastic-net.addGradient: weights \(weights.shape) and gradient \(gradient.shape) differ")
        let a = l1, b = l2
        gradient.withUnsafeMutableBufferPointer { g in
            weights.withUnsafeBufferPointer { w in
                for i in 0..<g.count { g[i] += signedStrength(a, w[i]) + b * w[i] }
            }
        }
    }

    public var description: String { "elastic-net(l1=\(Spec.format(l1)), l2=\(Spec.format(l2)))" }
}
