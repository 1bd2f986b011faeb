import CBLAS

/// The matrix product of rank-2 tensors through OpenBLAS `cblas_sgemm`:
/// `op(a) · op(b)` where `op` transposes when the flag is set.
///
/// `a` is `[m, k]` (or `[k, m]` with `transposeA`), `b` is `[k, n]` (or `[n, k]` with
/// `transposeB`); the result is `[m, n]`. Transposition is done by BLAS, never by copying.
/// Inner dimensions that disagree are a precondition failure naming both shapes.
public func matmul(_ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false) -> Tensor {
    let (m, n, _) = matmulDimensions(a, b, transposeA, transposeB)
    var c = Tensor(shape: [m, n]) { $0.initialize(repeating: 0) }
    matmul(a, b, transposeA: transposeA, transposeB: transposeB, alpha: 1, beta: 0, into: &c)
    return c
}

/// `c = alpha · op(a) · op(b) + beta · c` in place (BLAS GEMM). With `beta: 1` this
/// accumulates into `c`, which the layers use to add gradients without a temporary.
/// `c` must already have shape `[m, n]`.
public func matmul(
    _ a: Tensor, _ b: Tensor, transposeA: Bool = false, transposeB: Bool = false,
    alpha: Float = 1, beta: Float = 0, into c: inout Tensor
) {
    let (m, n, k) = matmulDimensions(a, b, transposeA, transposeB)
    BLASKernel.ensured
    precondition(c.shape == [m, n], "matmul: output shape \(c.shape) should be [\(m), \(n)]")
    if m == 0 || n == 0 { return }
    if k == 0 {
        // Empty inner dimension: op(a)·op(b) is all zeros.
        if beta == 0 { c.fill(0) } else { c *= beta }
        return
    }
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            c.withUnsafeMutableBufferPointer { pc in
                cblas_sgemm(
                    CblasRowMajor,
                    transposeA ? CblasTrans : CblasNoTrans,
                    transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k),
                    alpha,
                    pa.baseAddress, Int32(a.shape[1]),
                    pb.baseAddress, Int32(b.shape[1]),
                    beta,
                    pc.baseAddress, Int32(n))
            }
        }
    }
}

/// `c = alpha · op(a) · op(b) + beta · c` on row-major buffers with explicit leading
/// dimensions (`lda`, `ldb`, `ldc`: elements between the starts of two rows), so that the
/// operands can be blocks of larger matrices: a convolution multiplies each example's
/// block of one im2col buffer straight into the example's NCHW output. `op(a)` is m x k,
/// `op(b)` is k x n, `c` is m x n. The caller keeps the buffers alive and large enough.
public func gemm(
    transposeA: Bool = false, transposeB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    precondition(m >= 0 && n >= 0 && k >= 0 && m <= Int(Int32.max) && n <= Int(Int32.max) && k <= Int(Int32.max)
                 && lda <= Int(Int32.max) && ldb <= Int(Int32.max) && ldc <= Int(Int32.max), "gemm: dimension out of range")
    if m == 0 || n == 0 { return }
    BLASKernel.ensured
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// (m, n, k) of `op(a) · op(b)`, checking ranks and the inner dimension.
func matmulDimensions(_ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool) -> (Int, Int, Int) {
    precondition(a.rank == 2 && b.rank == 2, "matmul: expected rank-2 tensors, got shapes \(a.shape) and \(b.shape)")
    let (m, ka) = ta ? (a.shape[1], a.shape[0]) : (a.shape[0], a.shape[1])
    let (kb, n) = tb ? (b.shape[1], b.shape[0]) : (b.shape[0], b.shape[1])
    precondition(ka == kb, "matmul: inner dimensions differ: shapes \(a.shape)\(ta ? "ᵀ" : "") and \(b.shape)\(tb ? "ᵀ" : "")")
    precondition(m <= Int(Int32.max) && n <= Int(Int32.max) && ka <= Int(Int32.max), "matmul: dimension too large for BLAS")
    return (m, n, ka)
}

/// The BLAS library's settings.
public enum BLAS {
    /// The number of threads OpenBLAS uses for one call. Set it to 1 when several models
    /// train in parallel or when the machine is shared (2 threads on a busy 2-core machine
    /// can be many times slower than 1).
    public static var threadCount: Int {
        get { BLASKernel.ensured; return Int(openblas_get_num_threads()) }
        set { BLASKernel.ensured; openblas_set_num_threads(Int32(Swift.max(1, newValue))) }
    }

    /// The OpenBLAS core whose kernels run (`SkylakeX`, `Haswell`...), after Kiln's check
    /// for a CPU the library does not recognise (see `BLASKernel.swift`).
    public static var coreName: String {
        BLASKernel.ensured
        guard let c = openblas_get_corename() else { return "unknown" }
        return String(cString: c)
    }

    /// The OpenBLAS build's core name and configuration, for benchmark reports.
    public static var configuration: String {
        BLASKernel.ensured
        guard let c = openblas_get_config() else { return "unknown" }
        return String(cString: c)
    }
}
