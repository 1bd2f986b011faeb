/// Elementwise arithmetic with NumPy broadcasting.
///
/// Two shapes broadcast when, aligned at their last dimensions, each pair of sizes is
/// equal or one of them is 1 (a missing leading dimension counts as 1). The result takes
/// the larger size in each dimension. `[128, 10] + [10]` adds a row to every row;
/// `[128, 1] * [1, 10]` is an outer product. Incompatible shapes are a precondition
/// failure naming both shapes.
///
/// In-place forms (`+=` etc.) require the right-hand side to broadcast to the left-hand
/// shape and write into the left operand's storage without a temporary.
extension Tensor {
    /// The broadcast shape of `a` and `b`, or nil if they are incompatible.
    public static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else { return nil }
        }
        return out
    }

    /// Strides that read `shape` as if broadcast to `outShape` (0 on broadcast axes).
    static func broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
        let own = strides(of: shape)
        let offset = outShape.count - shape.count
        var result = [Int](repeating: 0, count: outShape.count)
        for i in 0..<shape.count where shape[i] != 1 || outShape[i + offset] == 1 {
            result[i + offset] = shape[i] == 1 ? 0 : own[i]
        }
        return result
    }

    /// out[i] = Op(a[i], b[i]) over `outShape` with broadcast strides. `out` may alias `a`
    /// when `a` already has `outShape` (the in-place forms).
    @inline(__always)
    static func broadcastLoop<Op: BinaryOperation>(
        _ op: Op.Type,
        a: UnsafePointer<Float>, aStrides: [Int],
        b: UnsafePointer<Float>, bStrides: [Int],
        out: UnsafeMutablePointer<Float>, outShape: [Int]
    ) {
        let total = count(of: outShape)
        guard total > 0 else { return }
        let rank = outShape.count
        if rank == 0 {
            out[0] = Op.apply(a[0], b[0])
            return
        }
        let inner = outShape[rank - 1]
        let sa = aStrides[rank - 1], sb = bStrides[rank - 1]
        var counters = [Int](repeating: 0, count: rank)
        var aOffset = 0, bOffset = 0, o = 0
        while o < total {
            let pa = a + aOffset, pb = b + bOffset, po = out + o
            if sa == 1 && sb == 1 {
                for i in 0..<inner { po[i] = Op.apply(pa[i], pb[i]) }
            } else if sa == 1 {
                let y = pb[0]
                for i in 0..<inner { po[i] = Op.apply(pa[i], y) }
            } else if sb == 1 {
                let x = pa[0]
                for i in 0..<inner { po[i] = Op.apply(x, pb[i]) }
            } else {
                for i in 0..<inner { po[i] = Op.apply(pa[i * sa], pb[i * sb]) }
            }
            o += inner
            // Advance the outer counters (odometer) and the operand offsets.
            var d = rank - 2
            while d >= 0 {
                counters[d] += 1
                aOffset += aStrides[d]
                bOffset += bStrides[d]
                if counters[d] < outShape[d] { break }
                aOffset -= aStrides[d] * outShape[d]
                bOffset -= bStrides[d] * outShape[d]
                counters[d] = 0
                d -= 1
            }
        }
    }

    static func binary<Op: BinaryOperation>(_ a: Tensor, _ b: Tensor, _ op: Op.Type, name: String) -> Tensor {
        if a.shape == b.shape {
            return Tensor(shape: a.shape) { out in
                a.withUnsafeBufferPointer { pa in
                    b.withUnsafeBufferPointer { pb in
                        for i in 0..<out.count { out[i] = Op.apply(pa[i], pb[i]) }
                    }
                }
            }
        }
        guard let outShape = broadcastShape(a.shape, b.shape) else {
            preconditionFailure("\(name): shapes \(a.shape) and \(b.shape) do not broadcast")
        }
        let aStrides = broadcastStrides(a.shape, to: outShape)
        let bStrides = broadcastStrides(b.shape, to: outShape)
        return Tensor(shape: outShape) { out in
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    broadcastLoop(Op.self, a: pa.baseAddress!, aStrides: aStrides,
                                  b: pb.baseAddress!, bStrides: bStrides,
                                  out: out.baseAddress!, outShape: outShape)
                }
            }
        }
    }

    mutating func binaryInPlace<Op: BinaryOperation>(_ b: Tensor, _ op: Op.Type, name: String) {
        if shape == b.shape {
            withUnsafeMutableBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    for i in 0..<pa.count { pa[i] = Op.apply(pa[i], pb[i]) }
                }
            }
            return
        }
        guard let outShape = Tensor.broadcastShape(shape, b.shape), outShape == shape else {
            preconditionFailure("\(name): shape \(b.shape) does not broadcast to \(shape)")
        }
        let aStrides = Tensor.strides(of: shape)
        let bStrides = Tensor.broadcastStrides(b.shape, to: shape)
        let outShapeCopy = shape
        withUnsafeMutableBufferPointer { pa in
            guard let base = pa.baseAddress else { return }
            b.withUnsafeBufferPointer { pb in
                Tensor.broadcastLoop(Op.self, a: UnsafePointer(base), aStrides: aStrides,
                                     b: pb.baseAddress!, bStrides: bStrides, out: base, outShape: outShapeCopy)
            }
        }
    }

    static func scalarRight<Op: BinaryOperation>(_ a: Tensor, _ s: Float, _ op: Op.Type) -> Tensor {
        Tensor(shape: a.shape) { out in
            a.withUnsafeBufferPointer { pa in
                for i in 0..<out.count { out[i] = Op.apply(pa[i], s) }
            }
        }
    }

    static func scalarLeft<Op: BinaryOperation>(_ s: Float, _ a: Tensor, _ op: Op.Type) -> Tensor {
        Tensor(shape: a.shape) { out in
            a.withUnsafeBufferPointer { pa in
                for i in 0..<out.count { out[i] = Op.apply(s, pa[i]) }
            }
        }
    }

    mutating func scalarInPlace<Op: BinaryOperation>(_ s: Float, _ op: Op.Type) {
        withUnsafeMutableBufferPointer { pa in
            for i in 0..<pa.count { pa[i] = Op.apply(pa[i], s) }
        }
    }

    // MARK: Operators

    /// Elementwise a + b, broadcasting the shapes.
    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(a, b, Add.self, name: "+") }
    /// Elementwise a − b, broadcasting the shapes.
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(a, b, Subtract.self, name: "-") }
    /// Elementwise a · b (not a matrix product: see `matmul`), broadcasting the shapes.
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(a, b, Multiply.self, name: "*") }
    /// Elementwise a / b, broadcasting the shapes (IEEE division: x / 0 is ±infinity or NaN).
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(a, b, Divide.self, name: "/") }

    /// Adds `s` to every element.
    public static func + (a: Tensor, s: Float) -> Tensor { scalarRight(a, s, Add.self) }
    /// Subtracts `s` from every element.
    public static func - (a: Tensor, s: Float) -> Tensor { scalarRight(a, s, Subtract.self) }
    /// Multiplies every element by `s`.
    public static func * (a: Tensor, s: Float) -> Tensor { scalarRight(a, s, Multiply.self) }
    /// Divides every element by `s`.
    public static func / (a: Tensor, s: Float) -> Tensor { scalarRight(a, s, Divide.self) }
    /// s + a for every element a.
    public static func + (s: Float, a: Tensor) -> Tensor { scalarLeft(s, a, Add.self) }
    /// s − a for every element a.
    public static func - (s: Float, a: Tensor) -> Tensor { scalarLeft(s, a, Subtract.self) }
    /// s · a for every element a.
    public static func * (s: Float, a: Tensor) -> Tensor { scalarLeft(s, a, Multiply.self) }
    /// s / a for every element a.
    public static func / (s: Float, a: Tensor) -> Tensor { scalarLeft(s, a, Divide.self) }

    /// The negation of every element (0 − a).
    public static prefix func - (a: Tensor) -> Tensor { scalarLeft(0, a, Subtract.self) }

    /// a += b in a's storage; b must broadcast to a's shape.
    public static func += (a: inout Tensor, b: Tensor) { a.binaryInPlace(b, Add.self, name: "+=") }
    /// a −= b in a's storage; b must broadcast to a's shape.
    public static func -= (a: inout Tensor, b: Tensor) { a.binaryInPlace(b, Subtract.self, name: "-=") }
    /// a ·= b elementwise in a's storage; b must broadcast to a's shape.
    public static func *= (a: inout Tensor, b: Tensor) { a.binaryInPlace(b, Multiply.self, name: "*=") }
    /// a /= b elementwise in a's storage; b must broadcast to a's shape.
    public static func /= (a: inout Tensor, b: Tensor) { a.binaryInPlace(b, Divide.self, name: "/=") }
    /// Adds `s` to every element in place.
    public static func += (a: inout Tensor, s: Float) { a.scalarInPlace(s, Add.self) }
    /// Subtracts `s` from every element in place.
    public static func -= (a: inout Tensor, s: Float) { a.scalarInPlace(s, Subtract.self) }
    /// Multiplies every element by `s` in place.
    public static func *= (a: inout Tensor, s: Float) { a.scalarInPlace(s, Multiply.self) }
    /// Divides every element by `s` in place.
    public static func /= (a: inout Tensor, s: Float) { a.scalarInPlace(s, Divide.self) }

    /// Elementwise maximum / minimum with broadcasting (NaN in either operand gives NaN).
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { binary(a, b, Maximum.self, name: "maximum") }
    /// Elementwise minimum with broadcasting (NaN in either operand gives NaN).
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { binary(a, b, Minimum.self, name: "minimum") }

    /// `self += alpha * x` (BLAS `axpy` semantics; same shapes), the optimizers' hot path.
    public mutating func addScaled(_ x: Tensor, _ alpha: Float) {
        precondition(shape == x.shape, "addScaled: shapes \(shape) and \(x.shape) differ")
        withUnsafeMutableBufferPointer { py in
            x.withUnsafeBufferPointer { px in
                for i in 0..<py.count { py[i] += alpha * px[i] }
            }
        }
    }

    /// Whether every element is finite (no NaN or infinity).
    public var isFinite: Bool {
        withUnsafeBufferPointer { p in
            var ok = true
            for i in 0..<p.count where !p[i].isFinite { ok = false; break }
            return ok
        }
    }
}

/// A binary elementwise operation, used as a generic parameter so that each loop is
/// specialised to a direct arithmetic instruction (no closure call per element).
public protocol BinaryOperation {
    /// The result for the elements `a` and `b`.
    static func apply(_ a: Float, _ b: Float) -> Float
}

enum Add: BinaryOperation { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a + b } }
enum Subtract: BinaryOperation { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a - b } }
enum Multiply: BinaryOperation { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a * b } }
enum Divide: BinaryOperation { @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a / b } }
enum Maximum: BinaryOperation {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a.isNaN || b.isNaN ? .nan : Swift.max(a, b) }
}
enum Minimum: BinaryOperation {
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float { a.isNaN || b.isNaN ? .nan : Swift.min(a, b) }
}
