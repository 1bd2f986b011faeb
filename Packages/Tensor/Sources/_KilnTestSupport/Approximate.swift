// _KilnTestSupport: helpers for Kiln's own tests. Not API: it may change at any time.
import KilnTensor
import Testing

/// Approximate equality for Float32 results.
///
/// `a` and `b` are close when `|a - b| <= absoluteTolerance + relativeTolerance * max(|a|, |b|)`
/// (NumPy's `isclose`, made symmetric). The defaults, relative 1e-5 and absolute 1e-6,
/// allow a few units in the last place of float32 (ulp = 1.19e-7 relative) accumulated over
/// a handful of operations; sums over many terms or BLAS results need a looser tolerance,
/// which the caller states. Two NaNs are close (a result that should be NaN is), equal
/// infinities are close, and a NaN is never close to a number.
public func isClose(_ a: Float, _ b: Float, relativeTolerance: Float = 1e-5, absoluteTolerance: Float = 1e-6) -> Bool {
    if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
    if a.isInfinite || b.isInfinite { return a == b }
    return abs(a - b) <= absoluteTolerance + relativeTolerance * max(abs(a), abs(b))
}

/// Records a test issue unless `actual` and `expected` are close (see `isClose`).
public func expectClose(
    _ actual: Float, _ expected: Float, relativeTolerance: Float = 1e-5, absoluteTolerance: Float = 1e-6,
    _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    if !isClose(actual, expected, relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance) {
        Issue.record("\(actual) is not close to \(expected) (rtol \(relativeTolerance), atol \(absoluteTolerance))\(comment.map { ": \($0)" } ?? "")",
                     sourceLocation: sourceLocation)
    }
}

/// Records a test issue unless the shapes match and every element is close; names the
/// first differing element.
public func expectClose(
    _ actual: Tensor, _ expected: Tensor, relativeTolerance: Float = 1e-5, absoluteTolerance: Float = 1e-6,
    _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.shape == expected.shape else {
        Issue.record("shape \(actual.shape) differs from \(expected.shape)\(comment.map { ": \($0)" } ?? "")", sourceLocation: sourceLocation)
        return
    }
    for i in 0..<actual.count where !isClose(actual[flat: i], expected[flat: i],
                                              relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance) {
        Issue.record("element \(i): \(actual[flat: i]) is not close to \(expected[flat: i])\(comment.map { ": \($0)" } ?? "")",
                     sourceLocation: sourceLocation)
        return
    }
}

/// Close as a whole: `||a - b|| <= tolerance * max(||a||, ||b||, tiny)`, for results such
/// as GEMMs where single elements near zero carry large relative error.
public func expectCloseInNorm(
    _ actual: Tensor, _ expected: Tensor, tolerance: Float = 1e-5,
    _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.shape == expected.shape else {
        Issue.record("shape \(actual.shape) differs from \(expected.shape)", sourceLocation: sourceLocation)
        return
    }
    let diff = (actual - expected).l2Norm()
    let scale = max(actual.l2Norm(), expected.l2Norm(), 1e-30)
    if !(diff <= tolerance * scale) {
        Issue.record("relative difference \(diff / scale) exceeds \(tolerance)\(comment.map { ": \($0)" } ?? "")", sourceLocation: sourceLocation)
    }
}
