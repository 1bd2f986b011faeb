import KilnTensor

/// Two-sided finite differences: `(f(x + h eᵢ) - f(x - h eᵢ)) / 2h` for every element i.
///
/// The error of the central difference is O(h²) in exact arithmetic; in float32 the
/// rounding error grows like ε·|f|/h, so h around 1e-3 balances the two for values of
/// order 1 (the course notes use 1e-7 in float64, which float32 cannot resolve).
/// The differences are accumulated in `Double`.
public func numericalGradient(of f: (Tensor) -> Float, at x: Tensor, step h: Float = 1e-3) -> Tensor {
    var grad = Tensor.zeros(x.shape)
    var probe = x
    for i in 0..<x.count {
        let original = probe[flat: i]
        probe[flat: i] = original + h
        let plus = Double(f(probe))
        probe[flat: i] = original - h
        let minus = Double(f(probe))
        probe[flat: i] = original
        grad[flat: i] = Float((plus - minus) / (2 * Double(h)))
    }
    return grad
}

/// The gradient-check ratio of the course notes:
/// `||g_num - g|| / (||g_num|| + ||g||)`, 0 when both are zero.
public func gradientCheckDelta(numeric: Tensor, analytic: Tensor) -> Float {
    let denominator = numeric.l2Norm() + analytic.l2Norm()
    if denominator == 0 { return 0 }
    return (numeric - analytic).l2Norm() / denominator
}
