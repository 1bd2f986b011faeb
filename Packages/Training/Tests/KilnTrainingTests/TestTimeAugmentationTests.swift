import Foundation
import Testing
import KilnData
import KilnLayers
import KilnTensor
@testable import KilnTraining

/// `--tta`: the mirror image, the views' mean probabilities, and evaluation with them.
@Suite struct TestTimeAugmentationTests {
    let spec = "conv(3, kernel=3, padding=1)|relu|flatten|dense(4)"

    func model() throws -> Sequential {
        var rng = RandomGenerator(seed: 4)
        return try Sequential.build(spec: spec, inputShape: [2, 5, 6], rng: &rng)
    }

    @Test func mirroringReversesEveryRowAndTwiceIsTheIdentity() {
        var rng = RandomGenerator(seed: 1)
        let x = Tensor.uniform([2, 2, 3, 5], using: &rng)
        let m = x.mirroredAlongWidth()
        for i in 0..<2 { for c in 0..<2 { for y in 0..<3 { for z in 0..<5 { #expect(m[i, c, y, z] == x[i, c, y, 4 - z]) } } } }
        #expect(m.mirroredAlongWidth() == x)
    }

    /// `none` is the softmax of the logits, bit for bit; `flip` the mean of the two views'
    /// softmax, example by example.
    @Test func flipAveragesTheTwoViewsProbabilities() throws {
        let net = try model()
        var rng = RandomGenerator(seed: 2)
        let x = Tensor.uniform([3, 2, 5, 6], using: &rng)
        let softmax = SoftmaxCrossEntropy()
        let one = softmax.probabilities(net.forward(x, training: false))
        #expect(TestTimeAugmentation.none.probabilities(of: net, x) == one)
        let mirrored = softmax.probabilities(net.forward(x.mirroredAlongWidth(), training: false))
        let both = TestTimeAugmentation.flip.probabilities(of: net, x)
        #expect(both != one)
        for i in 0..<3 {
            var sum: Float = 0
            for k in 0..<4 {
                #expect(both[i, k] == 0.5 * (one[i, k] + mirrored[i, k]))
                sum += both[i, k]
            }
            #expect(abs(sum - 1) < 1e-5)
        }
        #expect(Trainer.predictProbabilities(model: net, inputs: x, testTimeAugmentation: .flip) == both)
    }

    /// Evaluation with `flip`: the predictions are the argmax of the mean probabilities, the
    /// loss their mean cross-entropy, and neither depends on the thread count.
    @Test func evaluationUsesTheMeanProbabilitiesAtAnyThreadCount() throws {
        let net = try model()
        var rng = RandomGenerator(seed: 3)
        let x = Tensor.uniform([10, 2, 5, 6], using: &rng)
        let labels = (0..<10).map { $0 % 4 }
        let data = TensorDataset(inputs: x, labels: labels, classNames: ["a", "b", "c", "d"])
        let p = TestTimeAugmentation.flip.probabilities(of: net, x)
        var expectedLoss = 0.0
        for (i, y) in labels.enumerated() { expectedLoss -= Double(Foundation.log(Double(p[i, y]))) }
        let one = Trainer.evaluate(model: net, data: data, batchSize: 4, threads: 1, testTimeAugmentation: .flip)
        let three = Trainer.evaluate(model: net, data: data, batchSize: 4, threads: 3, testTimeAugmentation: .flip)
        #expect(one.predictions == p.argmaxIndices())
        #expect(abs(one.loss - expectedLoss / 10) < 1e-6)
        #expect(one.predictions == three.predictions && one.loss == three.loss)
        let plain = Trainer.evaluate(model: net, data: data, batchSize: 4, threads: 1)
        #expect(plain.loss != one.loss)
    }

    /// A shift moves every plane's pixels and fills with zeros; moving back restores the
    /// pixels that stayed inside.
    @Test func shiftingMovesPixelsAndFillsZeros() {
        var rng = RandomGenerator(seed: 5)
        let x = Tensor.uniform([2, 3, 4, 5], using: &rng) + 1  // no zero pixel in x
        for (dx, dy) in [(1, 0), (-1, 0), (0, 1), (0, -1), (2, -3), (-5, 0), (0, 4)] {
            let s = x.shifted(right: dx, down: dy)
            for i in 0..<2 { for c in 0..<3 { for y in 0..<4 { for z in 0..<5 {
                let (fy, fz) = (y - dy, z - dx)
                let inside = (0..<4).contains(fy) && (0..<5).contains(fz)
                #expect(s[i, c, y, z] == (inside ? x[i, c, fy, fz] : 0), "shift (\(dx), \(dy)) at \(y), \(z)")
            } } } }
        }
        #expect(x.shifted(right: 0, down: 0) == x)
    }

    /// `flip-shift` is the mean of ten views' softmax in the documented order: the image
    /// unmoved, left, right, up, down, then its mirror image the same way.
    @Test func flipShiftAveragesTenViews() throws {
        let net = try model()
        var rng = RandomGenerator(seed: 6)
        let x = Tensor.uniform([3, 2, 5, 6], using: &rng)
        let softmax = SoftmaxCrossEntropy()
        var expected = [Float](repeating: 0, count: 12)
        var count: Float = 0
        for image in [x, x.mirroredAlongWidth()] {
            for (dx, dy) in [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)] {
                let p = softmax.probabilities(net.forward(image.shifted(right: dx, down: dy), training: false))
                for i in 0..<3 { for k in 0..<4 { expected[i * 4 + k] += p[i, k] } }
                count += 1
            }
        }
        let ten = TestTimeAugmentation.flipShift.probabilities(of: net, x)
        for i in 0..<3 { for k in 0..<4 { #expect(ten[i, k] == expected[i * 4 + k] * (1 / count)) } }
        #expect(count == 10 && ten != TestTimeAugmentation.flip.probabilities(of: net, x))
        let data = TensorDataset(inputs: x, labels: [0, 1, 2], classNames: ["a", "b", "c", "d"])
        let one = Trainer.evaluate(model: net, data: data, batchSize: 2, threads: 1, testTimeAugmentation: .flipShift)
        let three = Trainer.evaluate(model: net, data: data, batchSize: 2, threads: 3, testTimeAugmentation: .flipShift)
        #expect(one.predictions == ten.argmaxIndices() && one.loss == three.loss)
        #expect(TestTimeAugmentation(rawValue: "flip-shift") == .flipShift)
    }

    @Test func flipNeedsImages() {
        #expect(TestTimeAugmentation.flip.fits(inputShape: [1, 28, 28]))
        #expect(!TestTimeAugmentation.flip.fits(inputShape: [784]))
        #expect(TestTimeAugmentation.none.fits(inputShape: [784]))
        #expect(!TestTimeAugmentation.flipShift.fits(inputShape: [784]))
    }
}
