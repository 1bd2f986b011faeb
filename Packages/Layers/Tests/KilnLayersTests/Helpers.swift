import KilnLayers
import KilnTensor

/// A model built from `spec` for per-example `shape`; unlike `Sequential.build`'s default,
/// it computes the input gradient unless `inputGradient` is false (tests call backward on
/// single layers).
func model(_ spec: String, _ shape: [Int], seed: UInt64 = 1, inputGradient: Bool = true) throws -> Sequential {
    var rng = RandomGenerator(seed: seed)
    let m = try Sequential.build(spec: spec, inputShape: shape, rng: &rng)
    m.needsInputGradient = inputGradient
    return m
}

/// Standard normal values of `shape`.
func randomTensor(_ shape: [Int], seed: UInt64 = 7) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor.normal(shape, mean: 0, std: 1, using: &rng)
}

/// Values at least `margin` away from 0 (so a finite-difference step cannot cross a kink).
func awayFromZero(_ shape: [Int], margin: Float = 0.2, seed: UInt64 = 9) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in
        let u = rng.uniform(margin, 1.5)
        return rng.bernoulli(0.5) ? u : -u
    })
}

/// Distinct values spaced by `spacing`, shuffled (max-pool windows without near-ties).
func distinctValues(_ shape: [Int], spacing: Float = 0.05, seed: UInt64 = 11) -> Tensor {
    var rng = RandomGenerator(seed: seed)
    let n = shape.reduce(1, *)
    let order = rng.permutation(n)
    return Tensor(shape: shape, scalars: order.map { Float($0 - n / 2) * spacing })
}

/// L = Σ r ⊙ y for a fixed random r: a loss whose gradient is r, for checking a layer's Jacobian.
func projectionLoss(seed: UInt64 = 3) -> (Tensor) -> (loss: Double, gradient: Tensor) {
    return { y in
        let r = randomTensor(y.shape, seed: seed)
        var total = 0.0
        for i in 0..<y.count { total += Double(y[flat: i]) * Double(r[flat: i]) }
        return (total, r)
    }
}
