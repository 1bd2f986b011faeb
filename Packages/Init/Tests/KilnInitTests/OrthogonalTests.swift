import KilnInit
import KilnTensor
import Testing
import _KilnTestSupport

@Suite struct OrthogonalTests {
    /// W·Wᵀ for wide weights (orthonormal rows), Wᵀ·W for tall ones (orthonormal columns):
    /// gain²·I in both cases; square weights are orthogonal both ways.
    @Test(arguments: [[6, 10], [10, 6], [8, 8], [4, 3, 3, 2], [30, 1], [1, 9]])
    func isSemiOrthogonal(shape: [Int]) {
        let gain: Float = 1.5
        var rng = RandomGenerator(seed: 11)
        let w = Orthogonal(gain: gain).make(shape: shape, fan: Fan(fanIn: 1, fanOut: 1), rng: &rng)
        #expect(w.shape == shape)
        let rows = shape[0], cols = w.count / rows
        let m = w.reshaped([rows, cols])
        let identity = Tensor(shape: [min(rows, cols), min(rows, cols)], unsafeUninitialized: { p in
            let n = min(rows, cols)
            for i in 0..<n * n { p[i] = i % (n + 1) == 0 ? gain * gain : 0 }
        })
        let gram = rows <= cols ? matmul(m, m, transposeB: true) : matmul(m, m, transposeA: true)
        expectClose(gram, identity, relativeTolerance: 1e-5, absoluteTolerance: 2e-6)
        if rows == cols { expectClose(matmul(m, m, transposeA: true), identity, relativeTolerance: 1e-5, absoluteTolerance: 2e-6) }
    }

    /// Q spans the drawn Gaussian matrix A with R = QᵀA upper triangular and a positive
    /// diagonal: the sign-corrected QR that makes the result Haar-distributed (torch).
    @Test(arguments: [[9, 5], [5, 9]])
    func isTheSignCorrectedQFactorOfTheDraw(shape: [Int]) {
        var rng = RandomGenerator(seed: 12)
        var replay = rng
        let q = Orthogonal().make(shape: shape, fan: Fan(fanIn: 1, fanOut: 1), rng: &rng)
        // The same draws, in the same row-by-row order.
        let a = Tensor(shape: shape, unsafeUninitialized: { p in for i in 0..<p.count { p[i] = replay.normal() } })
        #expect(replay == rng)
        // Tall: R = QᵀA (n x n). Wide: the decomposition is of Aᵀ, so R = Q·Aᵀ.
        let r = shape[0] >= shape[1] ? matmul(q, a, transposeA: true) : matmul(q, a, transposeB: true)
        let n = min(shape[0], shape[1])
        #expect(r.shape == [n, n])
        for i in 0..<n {
            #expect(r[i, i] > 0)
            for j in 0..<i { #expect(abs(r[i, j]) < 1e-5, "R[\(i), \(j)] = \(r[i, j])") }
        }
    }

    @Test func vectorsAndScalars() {
        var rng = RandomGenerator(seed: 13)
        let v = Orthogonal(gain: 2).make(shape: [10], fan: Fan(fanIn: 10, fanOut: 1), rng: &rng)
        expectClose(v.l2Norm(), 2, relativeTolerance: 1e-5)
        let s = Orthogonal(gain: 3).make(shape: [], fan: Fan(fanIn: 1, fanOut: 1), rng: &rng)
        #expect(abs(s.scalar) == 3)
        let empty = Orthogonal().make(shape: [0, 4], fan: Fan(fanIn: 1, fanOut: 1), rng: &rng)
        #expect(empty.shape == [0, 4])
    }
}
