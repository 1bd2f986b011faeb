import Foundation
import KilnData
import KilnLayers
import KilnTensor
import KilnTraining
import Testing
@testable import KilnEnsemble

/// The learned combiner: fitted out of bag, used by every prediction call, saved and
/// checked on load.
@Suite(.serialized) struct StackingTests {
    let train = blobs(count: 300, seed: 11)
    let test = blobs(count: 150, seed: 11, noiseSeed: 5)

    func bagged() async throws -> Ensemble {
        try await Bagging(members: 4, seed: 3).fit(train: train, epochs: 2, parallelism: try Parallelism(members: 4, jobs: 1, threads: 1)) {
            try smallMember($0)
        }
    }

    @Test func theCombinerLearnsAndReplacesTheVote() async throws {
        let ensemble = try await bagged()
        let soft = ensemble.report(on: test).accuracy
        try ensemble.fitCombiner(seed: 1)
        let combiner = try #require(ensemble.combiner)
        #expect(ensemble.rule == "stacking" && combiner.model.inputShape == [12] && combiner.model.outputShape == [3])
        let stacked = ensemble.report(on: test)
        #expect(stacked.accuracy >= soft - 0.05, "stacking \(stacked.accuracy) against soft \(soft)")
        // predict, predictProbabilities and report agree.
        #expect(ensemble.predict(test.inputs) == stacked.evaluation.predictions)
        let p = ensemble.predictProbabilities(test.inputs)
        #expect(p.shape == [150, 3] && p.argmaxIndices() == stacked.evaluation.predictions)
        // The same seed fits the same combiner.
        let first = combiner.model.parameters.map(\.value)
        try ensemble.fitCombiner(seed: 1)
        #expect(ensemble.combiner!.model.parameters.map(\.value) == first)
    }

    @Test func theCombinerIsSavedAndChecked() async throws {
        let ensemble = try await bagged()
        try ensemble.fitCombiner(seed: 2)
        let dir = NSTemporaryDirectory() + "kiln-stacking-\(UInt64.random(in: 0...UInt64.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ensemble.save(to: dir)
        let loaded = try Ensemble.load(from: dir)
        #expect(loaded.rule == "stacking" && loaded.predict(test.inputs) == ensemble.predict(test.inputs))
        // A combiner made for other members (here 3 members' inputs) is refused, naming it.
        var rng = RandomGenerator(seed: 1)
        let wrong = try Sequential.build(spec: "dense(3)", inputShape: [9], rng: &rng)
        try wrong.save(to: dir + "/" + Ensemble.combinerName, classNames: train.classNames)
        #expect { _ = try Ensemble.load(from: dir) } throws: { "\($0)".contains("combiner.safetensors does not fit the members") }
        // Stacking needs the out-of-bag predictions of a fresh fit.
        #expect(throws: EnsembleError.self) { try loaded.fitCombiner(seed: 1) }
    }
}
