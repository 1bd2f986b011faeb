import Testing
import KilnData
import KilnLayers
import KilnOptimizers
import KilnRegularizers
import KilnTensor
@testable import KilnTraining

@Suite struct WeightStatisticsTests {
    @Test func countsAndNormsFollowTheDefinitions() {
        let w = Parameter(name: "0.dense.weight", value: Tensor(shape: [2, 2], scalars: [3, -4, 0.005, 1e-6]))
        let b = Parameter(name: "0.dense.bias", value: Tensor([100, 100]), isRegularized: false)
        let stats = WeightStatistics(parameters: [w, b])
        #expect(stats.layers.count == 1, "biases are not counted")
        #expect(stats.count == 4)
        #expect(stats.smallCount(0) == 2 && stats.smallCount(1) == 1)
        #expect(abs(stats.l1 - 7.005001) < 1e-6)
        #expect(abs(stats.l2 - 5) < 1e-4)
    }

    /// The notes' L1-vs-L2 table in small: on data where 4 of 40 inputs matter, L1 leaves
    /// many more near-zero weights than L2 and the smallest L1 norm; L2 the smallest L2 norm.
    /// (Counts under 1e-5 depend on the step size: with a constant SGD step the L1 pull
    /// makes zeroed weights hop around 0 by about lr·λ = 2e-4, so they are not asserted.)
    @Test func l1IsSparserAndL2IsSmallest() throws {
        var rng = RandomGenerator(seed: 2)
        let x = Tensor.normal([600, 40], using: &rng)
        let labels = (0..<600).map { i in x[i, 0] + x[i, 1] - x[i, 2] + 0.5 * x[i, 3] > 0 ? 1 : 0 }
        let data = TensorDataset(inputs: x, labels: labels, classNames: ["neg", "pos"])
        func train(_ regularizer: String?) throws -> WeightStatistics {
            var rng = RandomGenerator(seed: 6)
            let model = try Sequential.build(spec: "dense(16)|relu|dense(2)", inputShape: [40], rng: &rng)
            let trainer = Trainer(model: model, optimizer: try optimizers.make("sgd(lr=0.1)"), batchSize: 20, seed: 6)
            if let regularizer { trainer.regularizer = try regularizers.make(regularizer) }
            try trainer.fit(train: data, epochs: 30)
            return WeightStatistics(parameters: trainer.parameters)
        }
        let none = try train(nil), l2 = try train("l2(1e-2)"), l1 = try train("l1(2e-3)")
        #expect(l1.smallCount(0) > 2 * l2.smallCount(0), "under 1e-2: l1 \(l1.smallCount(0)), l2 \(l2.smallCount(0))")
        #expect(l1.smallCount(0) > 2 * none.smallCount(0))
        #expect(l1.l1 < l2.l1 && l1.l1 < none.l1, "L1 norms: none \(none.l1), l2 \(l2.l1), l1 \(l1.l1)")
        #expect(l2.l2 < l1.l2 && l2.l2 < none.l2, "L2 norms: none \(none.l2), l2 \(l2.l2), l1 \(l1.l2)")
    }
}
