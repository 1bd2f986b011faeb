import Foundation
import KilnLayers
import KilnTensor
import Testing
import _KilnTestSupport

/// The loss of a whole batch through ``Loss``, in Double (sum / n).
private func meanLoss(_ loss: any Loss, _ logits: Tensor, _ labels: [Int]) -> Double {
    loss.shardLossAndGradient(logits: logits, labels: labels, batchCount: labels.count).lossSum / Double(labels.count)
}

@Suite struct LossProtocolTests {
    @Test(arguments: ["softmax-ce", "softmax-ce(label_smoothing=0.1)", "ce(0.3)", "mse", "bce"])
    func gradientsMatchFiniteDifferences(spec: String) throws {
        let loss = try losses.make(spec)
        let logits = randomTensor([4, 5]) * 2
        let labels = [0, 4, 2, 2]
        let analytic = loss.lossAndGradient(logits: logits, labels: labels).gradient
        let numeric = lossGradient({ meanLoss(loss, $0, labels) }, at: logits)
        #expect(gradientCheckDelta(numeric: numeric, analytic: analytic) < 1e-4, "\(spec)")
    }

    @Test func labelSmoothingMatchesItsFormula() throws {
        // L = logsumexp(z) − Σ q_j z_j with q = (1 − ε)·onehot + ε/K; ε = 0.1, K = 3.
        let z: [Float] = [1, -0.5, 2]
        let loss = try losses.make("softmax-ce(label_smoothing=0.1)")
        let lse = log(z.map { Foundation.exp(Double($0)) }.reduce(0, +))
        let q = [0.9 + 0.1 / 3, 0.1 / 3, 0.1 / 3]
        let expected = lse - zip(q, z).map { $0 * Double($1) }.reduce(0, +)
        let got = meanLoss(loss, Tensor(shape: [1, 3], scalars: z), [0])
        #expect(abs(got - expected) < 1e-6, "\(got) vs \(expected)")
        // Zero smoothing is the plain loss, bit for bit.
        let x = randomTensor([6, 10]) * 4, y = [1, 2, 3, 4, 5, 9]
        let plain = SoftmaxCrossEntropy().lossAndGradient(logits: x, labels: y)
        let zero = SoftmaxCrossEntropy(labelSmoothing: 0).lossAndGradient(logits: x, labels: y)
        #expect(plain.loss == zero.loss && plain.gradient == zero.gradient)
    }

    @Test func oneHotLossesMatchTheTensorForms() throws {
        // mse and bce on labels are MSELoss / BCEWithLogitsLoss on one-hot targets.
        let x = randomTensor([3, 4]), labels = [2, 0, 3]
        var target = Tensor.zeros([3, 4])
        for (i, y) in labels.enumerated() { target[i, y] = 1 }
        let mse = MeanSquaredError()
        expectClose(mse.lossAndGradient(logits: x, labels: labels).loss, mse.lossAndGradient(output: x, target: target).loss, relativeTolerance: 1e-6)
        expectClose(mse.lossAndGradient(logits: x, labels: labels).gradient, mse.lossAndGradient(output: x, target: target).gradient)
        let bce = BinaryCrossEntropyWithLogits()
        expectClose(bce.lossAndGradient(logits: x, labels: labels).loss, bce.lossAndGradient(output: x, target: target).loss, relativeTolerance: 1e-6)
        expectClose(bce.lossAndGradient(logits: x, labels: labels).gradient, bce.lossAndGradient(output: x, target: target).gradient)
    }

    @Test(arguments: ["softmax-ce(label_smoothing=0.1)", "mse", "bce"])
    func shardsStackToTheWholeBatch(spec: String) throws {
        let loss = try losses.make(spec)
        let x = randomTensor([5, 4]), labels = [0, 1, 2, 3, 1]
        let whole = loss.shardLossAndGradient(logits: x, labels: labels, batchCount: 5)
        let a = loss.shardLossAndGradient(logits: x.rows(0..<2), labels: Array(labels[0..<2]), batchCount: 5)
        let b = loss.shardLossAndGradient(logits: x.rows(2..<5), labels: Array(labels[2..<5]), batchCount: 5)
        #expect(Tensor.concatenate([a.gradient, b.gradient]) == whole.gradient)
        #expect(abs(a.lossSum + b.lossSum - whole.lossSum) < 1e-9)
    }

    @Test func specsRoundTripAndBadOnesAreErrors() throws {
        for spec in ["softmax-ce", "softmax-ce(label_smoothing=0.1)", "mse", "bce"] {
            #expect(try losses.make(spec).description == spec)
        }
        #expect(throws: (any Error).self) { try losses.make("softmax-ce(label_smoothing=1)") }
        #expect(throws: (any Error).self) { try losses.make("hinge") }
        do { _ = try losses.make("hinge") } catch { #expect("\(error)".contains("softmax-ce"), "\(error)") }
    }
}
