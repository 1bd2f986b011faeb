import Foundation
import KilnData
import KilnLayers
import KilnOptimizers
import KilnTensor
import KilnTraining
import Testing
@testable import KilnEnsemble

/// SAMME with neural members: the resampling, the member weights, the vote, the early
/// stop, and the saved form.
@Suite(.serialized) struct BoostingTests {
    let train = blobs(count: 240, seed: 5)
    let test = blobs(count: 150, seed: 5, noiseSeed: 77)

    /// Weak members (one hidden unit, one epoch) so that boosting has mistakes to work on.
    func weakMember(_ member: MemberContext) throws -> MemberSetup {
        var rng = RandomGenerator(seed: member.seed)
        let model = try Sequential.build(spec: "dense(1)|dense(3)", inputShape: member.train.inputShape, rng: &rng)
        return MemberSetup(trainer: Trainer(model: model, optimizer: try optimizers.make("adam(lr=0.02)"), batchSize: 32, seed: member.seed))
    }

    @Test func weightedSamplingFollowsTheWeights() {
        var rng = RandomGenerator(seed: 3)
        let weights = [0.5, 0, 0.25, 0.25]
        let draws = Boosting.weightedSample(weights, count: 40_000, rng: &rng)
        var counts = [Int](repeating: 0, count: 4)
        for d in draws { counts[d] += 1 }
        #expect(counts[1] == 0)
        #expect(abs(Double(counts[0]) / 40_000 - 0.5) < 0.01)
        #expect(abs(Double(counts[2]) / 40_000 - 0.25) < 0.01)
        var again = RandomGenerator(seed: 3)
        #expect(Boosting.weightedSample(weights, count: 40_000, rng: &again) == draws)
    }

    @Test func memberWeightIsSAMMEs() {
        #expect(abs(Boosting.memberWeight(error: 0.25, classes: 2) - log(3)) < 1e-12)
        #expect(abs(Boosting.memberWeight(error: 0.5, classes: 10) - log(9)) < 1e-12)
        #expect(Boosting.memberWeight(error: 0, classes: 3).isFinite)
    }

    @Test func boostingReweightsAndVotesWithAlpha() throws {
        let boosting = try Boosting(members: 4, seed: 9)
        var seen: [BoostingRound] = []
        let ensemble = try boosting.fit(train: train, epochs: 1, threads: 1, makeMember: weakMember) { seen.append($0) }
        let summary = try #require(ensemble.boosting)
        #expect(summary.rounds == seen && summary.rounds.count == ensemble.members.count)
        #expect(ensemble.voting == .hard && ensemble.weights == summary.rounds.map(\.alpha))
        for r in summary.rounds {
            #expect(r.weightedError < 2.0 / 3 && abs(r.alpha - Boosting.memberWeight(error: r.weightedError, classes: 3)) < 1e-12)
        }
        // Later members were trained under re-weighted examples: their samples differ from
        // a uniform draw's, and the ensemble fits the training set at least as well as its best member.
        let staged = ensemble.stagedAccuracies(on: train)
        #expect(staged.last! >= summary.rounds.map(\.trainAccuracy).max()! - 1e-9)
        #expect(staged.last! == ensemble.report(on: train).accuracy)
        // The same seed gives the same ensemble.
        let again = try boosting.fit(train: train, epochs: 1, threads: 2, makeMember: weakMember)
        #expect(again.weights == ensemble.weights)
        #expect(zip(again.members, ensemble.members).allSatisfy { $0.parameters.map(\.value) == $1.parameters.map(\.value) })
    }

    @Test func aFirstMemberAtChanceIsAClearError() throws {
        // Two classes, 40% / 60%; a member that always answers class 0 is wrong 60% of the time.
        let labels = (0..<100).map { $0 < 40 ? 0 : 1 }
        let data = TensorDataset(inputs: Tensor.zeros([100, 2]), labels: labels, classNames: ["a", "b"])
        let boosting = try Boosting(members: 3, seed: 1)
        #expect { _ = try boosting.fit(train: data, epochs: 1, threads: 1) { member in
            var rng = RandomGenerator(seed: member.seed)
            let model = try Sequential.build(spec: "dense(2, init=zeros, bias_init=zeros)", inputShape: [2], rng: &rng)
            return MemberSetup(trainer: Trainer(model: model, optimizer: try optimizers.make("sgd(lr=0)"), seed: member.seed))
        } } throws: { error in
            "\(error)".contains("first member") && "\(error)".contains("no better than chance")
        }
        #expect(throws: EnsembleError.self) { _ = try Boosting(members: 0) }
    }

    @Test func aBoostedEnsembleSavesAndLoads() throws {
        let ensemble = try Boosting(members: 3, seed: 2).fit(train: train, epochs: 1, threads: 1, makeMember: weakMember)
        let dir = NSTemporaryDirectory() + "kiln-boosting-\(UInt64.random(in: 0...UInt64.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ensemble.save(to: dir)
        let loaded = try Ensemble.load(from: dir)
        #expect(loaded.boosting?.rounds.map(\.alpha) == ensemble.boosting?.rounds.map(\.alpha))
        #expect(loaded.weights == ensemble.weights && loaded.voting == .hard)
        #expect(loaded.predict(test.inputs) == ensemble.predict(test.inputs))
        // A manifest whose weights are not the rounds' alpha is refused.
        let manifest = dir + "/" + Ensemble.manifestName
        var text = try String(contentsOfFile: manifest, encoding: .utf8)
        // Only the first place the weight appears (the rounds' alpha; `weights` keeps it).
        let first = try #require(text.range(of: String(ensemble.weights![0])))
        text.replaceSubrange(first, with: "1.5")
        try text.write(toFile: manifest, atomically: true, encoding: .utf8)
        #expect { _ = try Ensemble.load(from: dir) } throws: { "\($0)".contains("alpha") }
    }
}
