import KilnRegistry
import KilnTensor

/// `orthogonal(gain=1)`: a (semi-)orthogonal matrix times `gain` (Saxe et al.), as
/// `torch.nn.init.orthogonal_`.
///
/// The weight is viewed as a matrix of `rows = shape[0]` by `cols = count / rows`
/// (the trailing dimensions flattened). A matrix A of that shape is drawn with standard
/// normal entries; its QR decomposition A = QR (Householder reflections, in `Double`)
/// gives Q with orthonormal columns, whose columns are multiplied by sign(Rᵢᵢ) so that
/// the result is uniformly distributed (Haar) over the orthogonal matrices. A wide
/// matrix (rows < cols) is decomposed transposed. So:
///
/// - rows >= cols (tall or square): WᵀW = gain²·I (orthonormal columns);
/// - rows < cols (wide): WWᵀ = gain²·I (orthonormal rows).
///
/// Each entry has mean 0 and variance gain² / max(rows, cols). Multiplying by an
/// orthogonal matrix preserves norms, so deep linear stacks neither explode nor vanish.
/// A rank-1 shape `[n]` is treated as one row (a unit vector times gain), a scalar as
/// [1, 1] (±gain). The fan is not used. Cost: O(rows·cols·min(rows, cols)).
public struct Orthogonal: Initializer, Equatable {
    /// The factor the orthogonal matrix is multiplied by (spec `gain`, default 1).
    public var gain: Float

    /// An orthogonal initializer with the given gain (default 1).
    ///
    /// - Precondition: finite `gain >= 0`.
    public init(gain: Float = 1) {
        precondition(gain >= 0 && gain.isFinite, "orthogonal: gain must be finite and >= 0, got \(gain)")
        self.gain = gain
    }

    public func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
        let count = shape.reduce(1, *)
        guard count > 0 else { return Tensor.zeros(shape) }
        let rows = shape.isEmpty ? 1 : (shape.count == 1 ? 1 : shape[0])
        let cols = count / rows
        // The decomposed matrix is m x n with m >= n, stored column-major in `a`.
        let wide = rows < cols
        let m = wide ? cols : rows
        let n = wide ? rows : cols
        var a = [Double](repeating: 0, count: m * n)
        // Draw the rows x cols matrix row by row (torch's order); element (i, j) of the
        // drawn matrix goes to a[i + j*m] (tall) or, transposed, to a[j + i*m] (wide).
        for i in 0..<rows {
            for j in 0..<cols {
                let z = Double(rng.normal())
                if wide { a[j + i * m] = z } else { a[i + j * m] = z }
            }
        }
        let q = Self.orthonormalColumns(&a, m: m, n: n)
        let g = Double(gain)
        return Tensor(shape: shape, unsafeUninitialized: { out in
            for i in 0..<rows {
                for j in 0..<cols {
                    out[i * cols + j] = Float(g * (wide ? q[j + i * m] : q[i + j * m]))
                }
            }
        })
    }

    /// The Q factor (m x n, column-major) of the m x n column-major matrix `a` (m >= n),
    /// with each column multiplied by the sign of the matching diagonal entry of R.
    /// `a` is overwritten with the Householder vectors.
    static func orthonormalColumns(_ a: inout [Double], m: Int, n: Int) -> [Double] {
        precondition(m >= n && a.count == m * n)
        var betas = [Double](repeating: 0, count: n)
        var diagonal = [Double](repeating: 0, count: n)
        a.withUnsafeMutableBufferPointer { a in
            for k in 0..<n {
                let col = k * m
                // Householder vector v = x − α·e₁ with α = −sign(x₀)‖x‖ (no cancellation).
                var norm2 = 0.0
                for i in k..<m { norm2 += a[col + i] * a[col + i] }
                let norm = norm2.squareRoot()
                let x0 = a[col + k]
                let alpha = x0 >= 0 ? -norm : norm
                diagonal[k] = alpha  // R[k][k]
                a[col + k] = x0 - alpha
                let v2 = norm2 - x0 * x0 + (x0 - alpha) * (x0 - alpha)
                let beta = v2 > 0 ? 2 / v2 : 0
                betas[k] = beta
                // Apply H = I − β·v·vᵀ to the remaining columns.
                for j in (k + 1)..<n {
                    let cj = j * m
                    var dot = 0.0
                    for i in k..<m { dot += a[col + i] * a[cj + i] }
                    let s = beta * dot
                    if s != 0 { for i in k..<m { a[cj + i] -= s * a[col + i] } }
                }
            }
        }
        // Q = H₀H₁…H_{n−1}·[I_n; 0], accumulated from the last reflection backwards.
        var q = [Double](repeating: 0, count: m * n)
        for j in 0..<n { q[j + j * m] = 1 }
        a.withUnsafeBufferPointer { a in
            q.withUnsafeMutableBufferPointer { q in
                for k in stride(from: n - 1, through: 0, by: -1) {
                    let col = k * m
                    let beta = betas[k]
                    guard beta != 0 else { continue }
                    // Columns j < k are still eⱼ with no entries in rows k..., so H_k leaves them.
                    for j in k..<n {
                        let cj = j * m
                        var dot = 0.0
                        for i in k..<m { dot += a[col + i] * q[cj + i] }
                        let s = beta * dot
                        if s != 0 { for i in k..<m { q[cj + i] -= s * a[col + i] } }
                    }
                }
                // Sign fix: Q·diag(sign(R_kk)), making R's diagonal positive (torch's step).
                for k in 0..<n where diagonal[k] < 0 {
                    for i in 0..<m { q[i + k * m] = -q[i + k * m] }
                }
            }
        }
        return q
    }

    public var description: String { "orthogonal(gain=\(Spec.format(gain)))" }
}
