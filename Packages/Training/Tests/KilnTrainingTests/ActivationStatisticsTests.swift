import Testing
import KilnData
import KilnLayers
import KilnOptimizers
import KilnTensor
@testable import KilnTraining

/// The course notes' initialization experiments, as numbers: a 6-layer MLP of 100 units
/// fed 1,000 standard-normal inputs.
@Suite struct ActivationStatisticsTests {
    static func activations(init initializer: String, activation: String, layers: Int = 6, seed: UInt64 = 1) throws -> [ActivationProbe.Record] {
        let spec = Array(repeating: "dense(100, init=\(initializer))|\(activation)", count: layers).joined(separator: "|")
        var rng = RandomGenerator(seed: seed)
        let model = try Sequential.build(spec: spec, inputShape: [100], rng: &rng)
        let input = Tensor.normal([1000, 100], using: &rng)
        return ActivationProbe.activations(model: model, input: input)
    }

    /// std 1 + sigmoid: the activations pile up at 0 and 1 (the notes' figure 15-1); with
    /// Xavier they stay in the middle.
    @Test func std1SigmoidSaturates() throws {
        let std1 = try Self.activations(init: "normal(std=1)", activation: "sigmoid")
        let xavier = try Self.activations(init: "xavier-normal", activation: "sigmoid")
        #expect(std1.count == 6)
        #expect(std1.map(\.name) == ["1.sigmoid", "3.sigmoid", "5.sigmoid", "7.sigmoid", "9.sigmoid", "11.sigmoid"])
        for layer in std1[2...] {
            let saturated = layer.fraction { $0 < 0.1 || $0 > 0.9 }
            #expect(saturated > 0.5, "\(layer.name): \(saturated) near 0 or 1")
            #expect(layer.summary.std > 0.35, "\(layer.name): \(layer.summary)")
        }
        for layer in xavier[2...] {
            #expect(layer.fraction { $0 < 0.1 || $0 > 0.9 } < 0.05, "\(layer.name)")
        }
        // std 0.01: everything collapses onto 0.5 (no saturation, no spread either).
        let tiny = try Self.activations(init: "normal(std=0.01)", activation: "sigmoid")
        #expect(tiny.last!.summary.std < 0.02 && tiny.last!.summary.std < xavier.last!.summary.std / 5)
        #expect(abs(tiny.last!.summary.mean - 0.5) < 0.01)
    }

    /// Xavier + ReLU: each layer halves the second moment, so the spread shrinks with
    /// depth (notes' figure 15-3); He + ReLU keeps it (figure 15-4).
    @Test func xavierReluShrinksWhileHeReluKeepsItsSpread() throws {
        let xavier = try Self.activations(init: "xavier-normal", activation: "relu")
        let he = try Self.activations(init: "he-normal", activation: "relu")
        let xavierRatio = xavier.last!.summary.std / xavier.first!.summary.std
        let heRatio = he.last!.summary.std / he.first!.summary.std
        #expect(xavierRatio < 0.35, "xavier std ratio \(xavierRatio)")
        #expect(heRatio > 0.6 && heRatio < 1.6, "he std ratio \(heRatio)")
        for k in 1..<6 { #expect(xavier[k].summary.std < xavier[k - 1].summary.std, "xavier layer \(k)") }
        #expect(he.last!.summary.std > 3 * xavier.last!.summary.std)
    }

    @Test func summaryMatchesTheDefinitions() {
        let s = ValueSummary(Tensor([1, 2, 3, 4]))
        #expect(s.count == 4 && s.mean == 2.5 && s.min == 1 && s.max == 4)
        #expect(abs(s.std - 1.25.squareRoot()) < 1e-12)
    }

    /// Zero init: after training, every hidden unit still has the same weights (the
    /// symmetry is never broken), though the weights did move; He init breaks it.
    /// "Same" up to float32 rounding: BLAS sums different columns of a product in
    /// different orders, which leaves differences of a few ulps (~1e-7), against ~1 for He.
    @Test func zeroInitLeavesHiddenUnitsIdentical() throws {
        var rng = RandomGenerator(seed: 4)
        let x = Tensor.normal([300, 6], using: &rng)
        let labels = (0..<300).map { i in x[i, 0] - x[i, 1] > 0 ? (x[i, 2] > 0 ? 2 : 1) : 0 }
        let data = TensorDataset(inputs: x, labels: labels, classNames: ["a", "b", "c"])
        func train(_ initializer: String) throws -> (Dense, Dense, Double) {
            var rng = RandomGenerator(seed: 8)
            let model = try Sequential.build(spec: "dense(12, init=\(initializer))|sigmoid|dense(3, init=\(initializer))", inputShape: [6], rng: &rng)
            let trainer = Trainer(model: model, optimizer: try optimizers.make("sgd(lr=0.5)"), batchSize: 30, seed: 8)
            try trainer.fit(train: data, epochs: 15)
            return (model.layers[0] as! Dense, model.layers[2] as! Dense, trainer.evaluate(data).accuracy)
        }
        let (hidden, output, _) = try train("zeros")
        let scale = largestMagnitude(hidden.weight!.value)
        #expect(scale > 0.05, "the hidden weights moved")
        #expect(unitSpread(hidden.weight!.value, unitAxis: 1) <= 1e-5 * scale)
        #expect(unitSpread(output.weight!.value, unitAxis: 0) <= 1e-5 * largestMagnitude(output.weight!.value))
        #expect(unitSpread(Tensor(shape: [1, 12], scalars: hidden.bias!.value.withUnsafeBufferPointer(Array.init)), unitAxis: 1) <= 1e-5 * scale)
        #expect(distinctUnits(hidden.weight!.value, unitAxis: 1) == 1)
        let (heHidden, _, _) = try train("he-normal")
        #expect(unitSpread(heHidden.weight!.value, unitAxis: 1) > 0.1)
        #expect(distinctUnits(heHidden.weight!.value, unitAxis: 1) == 12)
    }
}
