import Testing
import KilnTensor
import _KilnTestSupport

@Suite struct ReductionTests {
    let t = Tensor.arange(24).reshaped([2, 3, 4])

    @Test func sumsOverEachAxis() {
        #expect(t.sum() == 276)
        #expect(t.sum(axis: 0).shape == [3, 4])
        #expect(t.sum(axis: 0)[0, 0] == 12)
        #expect(t.sum(axis: 1, keepDims: true).shape == [2, 1, 4])
        #expect(t.sum(axis: 1)[1, 3] == 15 + 19 + 23)
        #expect(t.sum(axis: -1).scalars == [6, 22, 38, 54, 70, 86])
        #expect(t.sum(axis: 2, keepDims: true).shape == [2, 3, 1])
    }

    @Test func meanVarianceMaxMin() {
        let x = Tensor(rows: [[1, 2, 3], [4, 6, 8]])
        #expect(x.mean() == 4)
        #expect(x.mean(axis: 0).scalars == [2.5, 4, 5.5])
        #expect(x.mean(axis: 1, keepDims: true).shape == [2, 1])
        expectClose(x.variance(axis: 1), Tensor([2.0 / 3.0, 8.0 / 3.0]))
        expectClose(x.variance(), 34.0 / 6.0)
        #expect(x.max(axis: 0).scalars == [4, 6, 8])
        #expect(x.min(axis: 1).scalars == [1, 4])
        #expect(x.max() == 8 && x.min() == 1)
        #expect(Tensor(rows: [[1, .nan], [0, 2]]).max(axis: 1)[flat: 0].isNaN)
        #expect(Tensor([3, .nan]).min().isNaN)
    }

    @Test func argmax() {
        let logits = Tensor(rows: [[0.1, 0.9, 0.9], [5, -1, 2], [-3, -2, -1]])
        #expect(logits.argmaxIndices() == [1, 0, 2])
        #expect(logits.argmax(axis: 0).scalars == [1, 0, 1])
        #expect(logits.argmax(axis: 1, keepDims: true).shape == [3, 1])
        #expect(logits.argmax() == 3)
        #expect(Tensor([1, .nan, 5]).argmax() == 1)
    }

    @Test func norms() {
        let x = Tensor([3, -4])
        #expect(x.l1Norm() == 7)
        #expect(x.l2Norm() == 5)
        #expect(Tensor.zeros([0]).l2Norm() == 0)
        #expect(Tensor([.infinity, 1]).l2Norm() == .infinity)
    }

    @Test func largeSumsAreAccurate() {
        // 1e6 copies of 0.1: a float accumulator drifts by ~1%, the double one does not.
        let x = Tensor.filled(0.1, [1_000_000])
        expectClose(x.sum(), 100_000, relativeTolerance: 1e-6)
        expectClose(x.mean(), 0.1, relativeTolerance: 1e-6)
    }
}
