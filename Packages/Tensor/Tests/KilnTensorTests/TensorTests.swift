import Testing
import KilnTensor
import _KilnTestSupport

@Suite struct TensorCreationTests {
    @Test func initializers() {
        let t = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(t.shape == [2, 3])
        #expect(t.rank == 2 && t.count == 6)
        #expect(t[1, 2] == 6)
        #expect(Tensor.zeros([2, 2]).scalars == [0, 0, 0, 0])
        #expect(Tensor.ones([3]).scalars == [1, 1, 1])
        #expect(Tensor.filled(7, [1, 2]).scalars == [7, 7])
        #expect(Tensor(5).shape == [] && Tensor(5).scalar == 5)
        #expect(Tensor(rows: [[1, 2], [3, 4]]).scalars == [1, 2, 3, 4])
        #expect(Tensor.arange(4).scalars == [0, 1, 2, 3])
        #expect(Tensor.arange(1, 2, step: 0.25).scalars == [1, 1.25, 1.5, 1.75])
        #expect(Tensor.arange(3, 1, step: -1).scalars == [3, 2])
        #expect(Tensor.arange(0).shape == [0])
    }

    @Test func emptyDimensions() {
        let e = Tensor.zeros([0, 3])
        #expect(e.count == 0)
        #expect((e + Tensor.ones([3])).shape == [0, 3])
        #expect(e.sum() == 0)
        #expect(e.sum(axis: 0).scalars == [0, 0, 0])
        #expect(e.mean().isNaN)
        #expect(e.max().isNaN)
        #expect(e.argmax() == -1)
        #expect(e.transposed().shape == [3, 0])
        #expect(e.reshaped([3, 0, 5]).count == 0)
        #expect(Tensor.concatenate([e, Tensor.ones([2, 3])]).shape == [2, 3])
    }

    @Test func copyOnWrite() {
        let a = Tensor([1, 2, 3])
        var b = a
        b[0] = 10
        #expect(a.scalars == [1, 2, 3])
        #expect(b.scalars == [10, 2, 3])
        var c = b
        c += 1
        #expect(b.scalars == [10, 2, 3])
        #expect(c.scalars == [11, 3, 4])
    }

    @Test func reshapeAndTranspose() {
        let t = Tensor.arange(6).reshaped([2, 3])
        #expect(t.reshaped([-1]).shape == [6])
        #expect(t.reshaped([3, -1]).shape == [3, 2])
        let tt = t.transposed()
        #expect(tt.shape == [3, 2])
        #expect(tt.scalars == [0, 3, 1, 4, 2, 5])
        let big = Tensor.arange(70 * 45).reshaped([70, 45])
        let back = big.transposed().transposed()
        #expect(back == big)
        #expect(big.transposed()[44, 69] == big[69, 44])
    }

    @Test func gatherSliceConcatenate() {
        let t = Tensor.arange(12).reshaped([4, 3])
        #expect(t.gatherRows([3, 0, 3]).scalars == [9, 10, 11, 0, 1, 2, 9, 10, 11])
        #expect(t.gatherRows([]).shape == [0, 3])
        #expect(t.rows(1..<3).scalars == [3, 4, 5, 6, 7, 8])
        #expect(t.rows(2..<2).shape == [0, 3])
        let joined = Tensor.concatenate([t.rows(0..<1), t.rows(1..<4)])
        #expect(joined == t)
        let images = Tensor.arange(2 * 2 * 2).reshaped([2, 2, 2])
        #expect(images.gatherRows([1]).scalars == [4, 5, 6, 7])
    }

    @Test func fillAssignAddScaled() {
        var t = Tensor.ones([2, 2])
        t.fill(3)
        #expect(t.scalars == [3, 3, 3, 3])
        t.addScaled(Tensor([1, 2, 3, 4]).reshaped([2, 2]), -2)
        #expect(t.scalars == [1, -1, -3, -5])
        #expect(t.isFinite)
        t[0, 0] = .infinity
        #expect(!t.isFinite)
    }
}
