import Foundation
import KilnOptimizers
import KilnTensor
import Testing
import _KilnTestSupport

@Suite struct ClippingTests {
    func parameters(_ gradients: [[Float]]) -> [Parameter] {
        gradients.enumerated().map { i, g in
            let p = Parameter(name: "p\(i)", value: Tensor.zeros([g.count]))
            p.gradient = Tensor(g)
            return p
        }
    }

    @Test func globalNormScalesEverythingToMaxNorm() throws {
        let ps = parameters([[3, 0], [0, 4, 0]])
        let norm = try GradientClipping.clipByGlobalNorm(ps, maxNorm: 1)
        #expect(norm == 5)
        expectClose(ps[0].gradient, Tensor([0.6, 0]))
        expectClose(ps[1].gradient, Tensor([0, 0.8, 0]))
        expectClose(GradientClipping.globalNorm(ps), 1)
    }

    @Test func belowMaxNormNothingChanges() throws {
        let ps = parameters([[0.3, -0.4]])
        #expect(try GradientClipping.clipByGlobalNorm(ps, maxNorm: 1) == 0.5)
        #expect(ps[0].gradient.scalars == [0.3, -0.4])
    }

    @Test func hugeFiniteGradientsClipWithoutOverflow() throws {
        let ps = parameters([[3e30, 4e30]])
        let norm = try GradientClipping.clipByGlobalNorm(ps, maxNorm: 10)
        #expect(norm == .infinity)  // the Float norm overflows; the scale is computed in Double
        expectClose(ps[0].gradient, Tensor([6, 8]), relativeTolerance: 1e-5)
    }

    @Test func clipByValueClampsAndReturnsLargestMagnitude() throws {
        let ps = parameters([[-3, 0.5], [2, -0.1]])
        #expect(try GradientClipping.clipByValue(ps, limit: 1) == 3)
        #expect(ps[0].gradient.scalars == [-1, 0.5])
        #expect(ps[1].gradient.scalars == [1, -0.1])
    }

    @Test(arguments: [Float.nan, .infinity, -.infinity])
    func nonFiniteGradientsThrowOrSkip(bad: Float) throws {
        let ps = parameters([[1, 2], [bad, 1]])
        #expect(throws: NonFiniteGradientError.self) { try GradientClipping.clipByGlobalNorm(ps, maxNorm: 1) }
        #expect(throws: NonFiniteGradientError.self) { try GradientClipping.clipByValue(ps, limit: 1) }
        #expect(ps[0].gradient.scalars == [1, 2])  // unchanged after the error
        do { _ = try GradientClipping.clipByValue(ps, limit: 1) } catch {
            #expect("\(error)" == "gradient of parameter 'p1' is not finite (NaN or infinity)")
        }
        let norm = try GradientClipping.clipByGlobalNorm(ps, maxNorm: 1, nonFinite: .skip)
        #expect(!norm.isFinite)
        #expect(ps.allSatisfy { $0.gradient.scalars.allSatisfy { $0 == 0 } })
        let again = parameters([[1, 2], [bad, 1]])
        #expect(try !GradientClipping.clipByValue(again, limit: 1, nonFinite: .skip).isFinite)
        #expect(again[0].gradient.scalars == [0, 0])
    }

    @Test func exponentialMovingAverageWithBiasCorrection() {
        var ema = ExponentialMovingAverage(beta: 0.9)
        #expect(ema.corrected.isNaN)
        // A constant sequence: the raw average creeps up from 0, the corrected one is exact.
        for t in 1...5 {
            let c = ema.update(10)
            #expect(abs(c - 10) < 1e-12)
            #expect(abs(ema.value - 10 * (1 - pow(0.9, Double(t)))) < 1e-12)
        }
        var b = ExponentialMovingAverage(beta: 0.5)
        b.update(4)      // v = 2, corrected 2 / 0.5 = 4
        b.update(8)      // v = 0.5·2 + 0.5·8 = 5, corrected 5 / 0.75
        #expect(b.value == 5 && abs(b.corrected - 5 / 0.75) < 1e-12 && b.count == 2)
    }
}
