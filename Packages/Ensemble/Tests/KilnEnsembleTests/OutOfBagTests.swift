import KilnTensor
import Testing
@testable import KilnEnsemble

/// Out-of-bag bookkeeping on a five-example, three-member case worked out by hand.
///
///     labels        [0, 1, 1, 0, 1]
///     member 1 drew [0, 0, 1, 2]      -> out of bag {3, 4}
///     member 2 drew [1, 2, 3, 3, 1]   -> out of bag {0, 4}
///     member 3 drew [0, 1, 2, 3, 4]   -> out of bag {}
///
/// Example 0: member 2 alone says [0.3, 0.7] -> 1, wrong. Examples 1 and 2: every member
/// drew them, so they do not count. Example 3: member 1 says [0.8, 0.2] -> 0, right.
/// Example 4: members 1 and 2 say [0.2, 0.8] and [0.7, 0.3]: mean [0.45, 0.55] -> 1,
/// right (hard voting: a 1-1 tie broken by the mean, also 1). With weights (1, 3, 1) the
/// mean is [0.575, 0.425] -> 0, wrong.
@Suite struct OutOfBagTests {
    let labels = [0, 1, 1, 0, 1]
    let samples = [
        BootstrapSample(indices: [0, 0, 1, 2], population: 5),
        BootstrapSample(indices: [1, 2, 3, 3, 1], population: 5),
        BootstrapSample(indices: [0, 1, 2, 3, 4], population: 5),
    ]
    let probabilities: [Tensor] = [
        Tensor(rows: [[0.8, 0.2], [0.2, 0.8]]),
        Tensor(rows: [[0.3, 0.7], [0.7, 0.3]]),
        Tensor(shape: [0, 2], scalars: []),
    ]

    func outOfBag(weights: [Double] = [1, 1, 1]) -> OutOfBag {
        var oob = OutOfBag(population: 5, classes: 2)
        for (m, sample) in samples.enumerated() {
            oob.add(probabilities: probabilities[m], at: sample.outOfBag, weight: weights[m])
        }
        return oob
    }

    @Test func outOfBagSetsOfTheSamples() {
        #expect(samples.map(\.outOfBag) == [[3, 4], [0, 4], []])
    }

    @Test func memberCountsAndPredictions() {
        let oob = outOfBag()
        #expect((0..<5).map { oob.memberCount($0) } == [1, 0, 0, 1, 2])
        #expect(oob.predictions(voting: .soft) == [1, nil, nil, 0, 1])
        #expect(oob.predictions(voting: .hard) == [1, nil, nil, 0, 1])
        let mean = oob.meanProbabilities
        #expect(abs(mean[4, 0] - 0.45) < 1e-6 && abs(mean[4, 1] - 0.55) < 1e-6)
        #expect(mean[1, 0] == 0 && mean[1, 1] == 0)
    }

    @Test func scoreCountsOnlyExamplesSomeMemberLeftOut() {
        let score = outOfBag().score(labels: labels, voting: .soft)
        #expect(score == OutOfBagScore(correct: 2, counted: 3, population: 5))
        #expect(abs(score.accuracy - 2.0 / 3) < 1e-12)
        #expect(abs(score.coverage - 0.6) < 1e-12)
        #expect(outOfBag().score(labels: labels, voting: .hard).correct == 2)
    }

    @Test func weightsApplyToTheOutOfBagVote() {
        let score = outOfBag(weights: [1, 3, 1]).score(labels: labels, voting: .soft)
        #expect(score == OutOfBagScore(correct: 1, counted: 3, population: 5))
    }

    @Test func noOutOfBagExamplesGiveNaN() {
        var oob = OutOfBag(population: 3, classes: 2)
        oob.add(probabilities: Tensor(shape: [0, 2], scalars: []), at: [])
        let score = oob.score(labels: [0, 1, 0], voting: .soft)
        #expect(score.counted == 0)
        #expect(score.accuracy.isNaN)
    }
}
