/// Reductions over one axis or over all elements.
///
/// An axis reduction views the tensor as `[outer, n, inner]` (`n` the reduced axis) and
/// returns `[outer, inner]` reshaped to the original shape without that axis, or with
/// size 1 there when `keepDims` is true. Negative axes count from the end.
///
/// Conventions (NumPy's): the sum of nothing is 0; the mean, variance, max, min and
/// argmax of nothing are NaN (argmax: -1). `max`/`min` propagate NaN; `argmax` returns
/// the first maximal index. Full sums and means accumulate in `Double`.
extension Tensor {
    func normalizedAxis(_ axis: Int, _ name: String) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < rank, "\(name): axis \(axis) out of range for shape \(shape)")
        return a
    }

    func reducedShape(_ axis: Int, keepDims: Bool) -> [Int] {
        var s = shape
        if keepDims { s[axis] = 1 } else { s.remove(at: axis) }
        return s
    }

    /// (outer, n, inner) for `axis`.
    func splitAround(_ axis: Int) -> (Int, Int, Int) {
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        return (outer, shape[axis], inner)
    }

    // MARK: Whole-tensor reductions

    /// The sum of all elements (accumulated in Double).
    public func sum() -> Float {
        withUnsafeBufferPointer { p in
            var acc: Double = 0
            for i in 0..<p.count { acc += Double(p[i]) }
            return Float(acc)
        }
    }

    /// The mean of all elements (NaN when empty).
    public func mean() -> Float { count == 0 ? .nan : Float(Double(sum()) / Double(count)) }

    /// The population variance of all elements (divides by n; NaN when empty).
    public func variance() -> Float {
        guard count > 0 else { return .nan }
        return withUnsafeBufferPointer { p in
            var mean: Double = 0
            for i in 0..<p.count { mean += Double(p[i]) }
            mean /= Double(p.count)
            var acc: Double = 0
            for i in 0..<p.count { let d = Double(p[i]) - mean; acc += d * d }
            return Float(acc / Double(p.count))
        }
    }

    /// The largest element (NaN if any element is NaN or the tensor is empty).
    public func max() -> Float {
        guard count > 0 else { return .nan }
        return withUnsafeBufferPointer { p in
            var m = p[0]
            for i in 0..<p.count { let v = p[i]; if v.isNaN { return .nan }; if v > m { m = v } }
            return m
        }
    }

    /// The smallest element (NaN if any element is NaN or the tensor is empty).
    public func min() -> Float {
        guard count > 0 else { return .nan }
        return withUnsafeBufferPointer { p in
            var m = p[0]
            for i in 0..<p.count { let v = p[i]; if v.isNaN { return .nan }; if v < m { m = v } }
            return m
        }
    }

    /// The flat index of the first largest element (a NaN counts as largest; -1 when empty).
    public func argmax() -> Int {
        withUnsafeBufferPointer { p in Tensor.argmax(p.baseAddress, count: p.count, stride: 1) }
    }

    static func argmax(_ p: UnsafePointer<Float>?, count: Int, stride: Int) -> Int {
        guard let p, count > 0 else { return -1 }
        var best = 0
        var m = p[0]
        if m.isNaN { return 0 }
        for i in 1..<Swift.max(count, 1) {
            let v = p[i * stride]
            if v.isNaN { return i }
            if v > m { m = v; best = i }
        }
        return best
    }

    /// Σ|x|.
    public func l1Norm() -> Float {
        withUnsafeBufferPointer { p in
            var acc: Double = 0
            for i in 0..<p.count { acc += Double(Swift.abs(p[i])) }
            return Float(acc)
        }
    }

    /// sqrt(Σx²).
    public func l2Norm() -> Float {
        withUnsafeBufferPointer { p in
            var acc: Double = 0
            for i in 0..<p.count { let v = Double(p[i]); acc += v * v }
            return Float(acc.squareRoot())
        }
    }

    // MARK: Axis reductions

    /// Sums over `axis`.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = normalizedAxis(axis, "sum")
        let (outer, n, inner) = splitAround(a)
        var out = Tensor.zeros(reducedShape(a, keepDims: keepDims))
        out.withUnsafeMutableBufferPointer { o in
            withUnsafeBufferPointer { p in
                for i in 0..<outer {
                    let dst = o.baseAddress! + i * inner
                    for k in 0..<n {
                        let src = p.baseAddress! + (i * n + k) * inner
                        for j in 0..<inner { dst[j] += src[j] }
                    }
                }
            }
        }
        return out
    }

    /// Means over `axis` (NaN when the axis is empty).
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = normalizedAxis(axis, "mean")
        var s = sum(axis: a, keepDims: keepDims)
        s *= shape[a] == 0 ? Float.nan : 1 / Float(shape[a])
        return s
    }

    /// Population variance over `axis` (divides by n, like PyTorch's `unbiased=False`).
    public func variance(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = normalizedAxis(axis, "variance")
        let m = mean(axis: a, keepDims: true)
        var d = self - m
        d.formSquare()
        return d.mean(axis: a, keepDims: keepDims)
    }

    /// Maxima over `axis` (NaN propagates).
    public func max(axis: Int, keepDims: Bool = false) -> Tensor { extremum(axis: axis, keepDims: keepDims, Maximum.self) }

    /// Minima over `axis` (NaN propagates).
    public func min(axis: Int, keepDims: Bool = false) -> Tensor { extremum(axis: axis, keepDims: keepDims, Minimum.self) }

    private func extremum<Op: BinaryOperation>(axis: Int, keepDims: Bool, _ op: Op.Type) -> Tensor {
        let a = normalizedAxis(axis, "max/min")
        let (outer, n, inner) = splitAround(a)
        guard n > 0 else { return Tensor.filled(.nan, reducedShape(a, keepDims: keepDims)) }
        var out = Tensor.zeros(reducedShape(a, keepDims: keepDims))
        out.withUnsafeMutableBufferPointer { o in
            withUnsafeBufferPointer { p in
                for i in 0..<outer {
                    let dst = o.baseAddress! + i * inner
                    dst.update(from: p.baseAddress! + i * n * inner, count: inner)
                    for k in 1..<n {
                        let src = p.baseAddress! + (i * n + k) * inner
                        for j in 0..<inner { dst[j] = Op.apply(dst[j], src[j]) }
                    }
                }
            }
        }
        return out
    }

    /// Indices of the first maxima over `axis`, as Float values in a tensor.
    public func argmax(axis: Int, keepDims: Bool = false) -> Tensor {
        let indices = argmaxIndices(axis: axis)
        return Tensor(shape: reducedShape(normalizedAxis(axis, "argmax"), keepDims: keepDims),
                      scalars: indices.map { Float($0) })
    }

    /// Indices of the first maxima over `axis` as `Int`s (the predicted class per row of logits).
    public func argmaxIndices(axis: Int = -1) -> [Int] {
        let a = normalizedAxis(axis, "argmax")
        let (outer, n, inner) = splitAround(a)
        var result = [Int](repeating: -1, count: outer * inner)
        withUnsafeBufferPointer { p in
            for i in 0..<outer {
                for j in 0..<inner {
                    result[i * inner + j] = Tensor.argmax(p.baseAddress.map { $0 + i * n * inner + j }, count: n, stride: inner)
                }
            }
        }
        return result
    }
}
