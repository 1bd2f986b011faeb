import Testing
import KilnTensor
import _KilnTestSupport

/// The textbook triple loop, in Double, as the reference for BLAS.
private func naiveMatmul(_ a: Tensor, _ b: Tensor, _ ta: Bool, _ tb: Bool) -> Tensor {
    let A = ta ? a.transposed() : a
    let B = tb ? b.transposed() : b
    let (m, k, n) = (A.shape[0], A.shape[1], B.shape[1])
    var c = Tensor.zeros([m, n])
    for i in 0..<m {
        for j in 0..<n {
            var acc: Double = 0
            for p in 0..<k { acc += Double(A[i, p]) * Double(B[p, j]) }
            c[i, j] = Float(acc)
        }
    }
    return c
}

@Suite struct MatMulTests {
    @Test(arguments: [
        (1, 1, 1), (1, 7, 1), (7, 1, 1), (1, 1, 9), (3, 5, 4), (17, 33, 9), (64, 10, 128), (1, 50, 30), (40, 1, 30),
    ] as [(Int, Int, Int)])
    func matchesNaiveLoopForAllTransposes(m: Int, n: Int, k: Int) {
        var rng = RandomGenerator(seed: UInt64(m * 10_000 + n * 100 + k))
        for ta in [false, true] {
            for tb in [false, true] {
                let a = Tensor.normal(ta ? [k, m] : [m, k], using: &rng)
                let b = Tensor.normal(tb ? [n, k] : [k, n], using: &rng)
                let c = matmul(a, b, transposeA: ta, transposeB: tb)
                #expect(c.shape == [m, n])
                expectClose(c, naiveMatmul(a, b, ta, tb), relativeTolerance: 1e-4, absoluteTolerance: 1e-4, "ta \(ta) tb \(tb)")
            }
        }
    }

    @Test func accumulatesWithAlphaAndBeta() {
        let a = Tensor(rows: [[1, 2], [3, 4]])
        let b = Tensor(rows: [[1, 0], [0, 1]])
        var c = Tensor.ones([2, 2])
        matmul(a, b, alpha: 2, beta: 1, into: &c)
        #expect(c.scalars == [3, 5, 7, 9])
        matmul(a, b, transposeA: true, beta: 0, into: &c)
        #expect(c.scalars == [1, 3, 2, 4])
    }

    @Test func emptyDimensions() {
        #expect(matmul(Tensor.zeros([0, 3]), Tensor.ones([3, 2])).shape == [0, 2])
        #expect(matmul(Tensor.zeros([2, 0]), Tensor.ones([0, 4])) == Tensor.zeros([2, 4]))
        var c = Tensor.ones([2, 2])
        matmul(Tensor.zeros([2, 0]), Tensor.zeros([0, 2]), beta: 0.5, into: &c)
        #expect(c.scalars == [0.5, 0.5, 0.5, 0.5])
    }

    @Test func specialValuesPropagate() {
        let a = Tensor(rows: [[1, .nan], [1, 1]])
        let c = matmul(a, Tensor(rows: [[1], [1]]))
        #expect(c[0, 0].isNaN && c[1, 0] == 2)
        let inf = matmul(Tensor(rows: [[.infinity, 1]]), Tensor(rows: [[1], [1]]))
        #expect(inf[0, 0] == .infinity)
    }

    @Test func threadCountIsSettable() {
        let old = BLAS.threadCount
        BLAS.threadCount = 1
        #expect(BLAS.threadCount == 1)
        BLAS.threadCount = old
        #expect(!BLAS.configuration.isEmpty)
    }
}
