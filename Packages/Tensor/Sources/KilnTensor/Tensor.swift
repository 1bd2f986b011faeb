/// An n-dimensional array of `Float` (IEEE binary32) in contiguous row-major order,
/// with value semantics: copies share storage until one of them is written
/// (copy-on-write through Swift's `Array`).
///
/// Shapes are `[Int]`; a rank-0 tensor (shape `[]`) holds one scalar, and any dimension
/// may be 0 (an empty tensor). Shape mismatches are programmer errors: they stop the
/// program with a `precondition` message naming both shapes. Validate user input before
/// it reaches a `Tensor`.
///
/// ```swift
/// var x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// let bias = Tensor([10, 20, 30])
/// x += bias                      // broadcasting: [[11, 22, 33], [14, 25, 36]]
/// let y = matmul(x, x, transposeB: true)   // [2, 2] through cblas_sgemm
/// ```
public struct Tensor: Sendable, Equatable, Hashable {
    /// The size of each dimension.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public internal(set) var scalars: [Float]

    // MARK: Creation

    /// A tensor with the given shape and elements (row-major).
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        precondition(Tensor.count(of: shape) == scalars.count,
                     "Tensor: shape \(shape) needs \(Tensor.count(of: shape)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A rank-1 tensor holding `scalars`.
    public init(_ scalars: [Float]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A rank-0 tensor holding one scalar.
    public init(_ scalar: Float) {
        self.init(shape: [], scalars: [scalar])
    }

    /// A rank-2 tensor from rows of equal length.
    public init(rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "Tensor(rows:): rows of different lengths")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// A tensor of `shape` with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        self.shape = shape
        self.scalars = Array(repeating: value, count: Tensor.count(of: shape))
    }

    /// Zeros of `shape`.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }
    /// Ones of `shape`.
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }
    /// `value` everywhere in `shape`.
    public static func filled(_ value: Float, _ shape: [Int]) -> Tensor { Tensor(repeating: value, shape: shape) }

    /// `[start, start + step, ...]` up to but excluding `end` (NumPy's `arange`).
    public static func arange(_ start: Float, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0 && step.isFinite, "arange: step must be finite and non-zero")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = start + Float(i) * step }
        return Tensor(values)
    }

    /// `[0, 1, ..., n-1]`.
    public static func arange(_ n: Int) -> Tensor { arange(0, Float(n)) }

    /// Creates a tensor and fills its storage through a pointer, without a zero fill
    /// being observable: `body` must write every element.
    public init(shape: [Int], unsafeUninitialized body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let n = Tensor.count(of: shape)
        self.shape = shape
        guard n > 0 else {
            // `Array(unsafeUninitializedCapacity: 0)` writes the count into the shared
            // empty-array storage, which ThreadSanitizer reports as a race between threads.
            // `body` still gets a non-nil base address (callers may take `baseAddress!`).
            self.scalars = []
            var placeholder: Float = 0
            withUnsafeMutablePointer(to: &placeholder) { body(UnsafeMutableBufferPointer(start: $0, count: 0)) }
            return
        }
        self.scalars = [Float](unsafeUninitializedCapacity: n) { buffer, count in
            body(buffer)
            count = n
        }
    }

    // MARK: Properties

    /// The number of elements.
    @inlinable public var count: Int { scalars.count }
    /// The number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// The single element of a tensor with one element.
    public var scalar: Float {
        precondition(scalars.count == 1, "Tensor.scalar: shape \(shape) has \(scalars.count) elements")
        return scalars[0]
    }

    static func count(of shape: [Int]) -> Int { shape.reduce(1, *) }

    /// Row-major strides of `shape` (in elements).
    static func strides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var s = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[d] = s
            s *= shape[d]
        }
        return strides
    }

    // MARK: Element access

    /// The element at a multi-dimensional index.
    public subscript(index: Int...) -> Float {
        get { scalars[flatIndex(index)] }
        set { scalars[flatIndex(index)] = newValue }
    }

    /// The element at a flat (row-major) position.
    public subscript(flat i: Int) -> Float {
        get { scalars[i] }
        set { scalars[i] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == shape.count, "Tensor: index \(index) does not match shape \(shape)")
        var flat = 0
        for (i, (k, n)) in zip(index, shape).enumerated() {
            precondition(k >= 0 && k < n, "Tensor: index \(index) out of bounds for shape \(shape) at axis \(i)")
            flat = flat * n + k
        }
        return flat
    }

    /// Reads the storage.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Writes the storage in place (copying first only if it is shared).
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try scalars.withUnsafeMutableBufferPointer(body)
    }

    /// Replaces all elements (the count must match).
    public mutating func assign(_ other: Tensor) {
        precondition(other.count == count, "Tensor.assign: shape \(other.shape) into \(shape)")
        scalars = other.scalars
        shape = other.shape
    }

    /// Sets every element to `value`.
    public mutating func fill(_ value: Float) {
        withUnsafeMutableBufferPointer { b in
            guard let base = b.baseAddress else { return }
            base.update(repeating: value, count: b.count)
        }
    }

    // MARK: Shape manipulation

    /// The same elements with a new shape; one dimension may be -1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        let unknown = newShape.indices.filter { newShape[$0] == -1 }
        precondition(unknown.count <= 1 && newShape.allSatisfy { $0 >= -1 },
                     "reshape: invalid target shape \(newShape) for shape \(shape)")
        if let u = unknown.first {
            let known = newShape.enumerated().filter { $0.offset != u }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0, "reshape: cannot reshape \(shape) to \(newShape)")
            resolved[u] = count / known
        }
        precondition(Tensor.count(of: resolved) == count, "reshape: cannot reshape \(shape) to \(newShape)")
        var copy = self
        copy.shape = resolved
        return copy
    }

    /// Reshapes in place.
    public mutating func reshape(_ newShape: [Int]) { self = reshaped(newShape) }

    /// The transpose of a rank-2 tensor.
    public func transposed() -> Tensor {
        precondition(rank == 2, "transposed: expected a rank-2 tensor, got shape \(shape)")
        let (m, n) = (shape[0], shape[1])
        return Tensor(shape: [n, m]) { out in
            withUnsafeBufferPointer { src in
                // Blocked to keep both sides in cache.
                let block = 32
                var i0 = 0
                while i0 < m {
                    var j0 = 0
                    while j0 < n {
                        for i in i0..<Swift.min(i0 + block, m) {
                            for j in j0..<Swift.min(j0 + block, n) { out[j * m + i] = src[i * n + j] }
                        }
                        j0 += block
                    }
                    i0 += block
                }
            }
        }
    }

    /// The number of elements in one slice along axis 0.
    var rowSize: Int { shape.isEmpty ? 1 : shape.dropFirst().reduce(1, *) }

    /// Gathers slices along axis 0: `result[i] = self[indices[i]]` (mini-batch selection).
    public func gatherRows(_ indices: [Int]) -> Tensor {
        precondition(rank >= 1, "gatherRows: rank-0 tensor")
        let rows = shape[0]
        let size = rowSize
        var newShape = shape
        newShape[0] = indices.count
        return Tensor(shape: newShape) { out in
            withUnsafeBufferPointer { src in
                for (k, r) in indices.enumerated() {
                    precondition(r >= 0 && r < rows, "gatherRows: index \(r) out of bounds for shape \(shape)")
                    guard size > 0 else { continue }
                    (out.baseAddress! + k * size).update(from: src.baseAddress! + r * size, count: size)
                }
            }
        }
    }

    /// Slices along axis 0: rows `range` (a view copied out).
    public func rows(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0],
                     "rows: range \(range) out of bounds for shape \(shape)")
        var newShape = shape
        newShape[0] = range.count
        let size = rowSize
        return Tensor(shape: newShape, scalars: Array(scalars[(range.lowerBound * size)..<(range.upperBound * size)]))
    }

    /// Concatenates tensors along axis 0; the other dimensions must agree.
    public static func concatenate(_ tensors: [Tensor]) -> Tensor {
        guard let first = tensors.first else { return Tensor(shape: [0], scalars: []) }
        precondition(first.rank >= 1, "concatenate: rank-0 tensors")
        let tail = Array(first.shape.dropFirst())
        var rows = 0
        var scalars: [Float] = []
        scalars.reserveCapacity(tensors.reduce(0) { $0 + $1.count })
        for t in tensors {
            precondition(Array(t.shape.dropFirst()) == tail,
                         "concatenate: shape \(t.shape) does not match \(first.shape) beyond axis 0")
            rows += t.shape[0]
            scalars.append(contentsOf: t.scalars)
        }
        return Tensor(shape: [rows] + tail, scalars: scalars)
    }
}

extension Tensor: CustomStringConvertible {
    /// A readable form: shape then values (long tensors are abbreviated).
    public var description: String {
        let shown = scalars.prefix(16).map { "\($0)" }.joined(separator: ", ")
        let more = count > 16 ? ", ... (\(count) elements)" : ""
        return "Tensor(shape: \(shape), [\(shown)\(more)])"
    }
}
