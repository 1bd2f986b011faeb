import KilnTensor
import Testing
@testable import KilnEnsemble

/// Voting on hand-made probability tables (rows: examples, columns: classes).
@Suite struct VotingTests {
    func table(_ rows: [[Float]]) -> Tensor { Tensor(rows: rows) }

    @Test func softVotingAveragesProbabilities() {
        let a = table([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
        let b = table([[0.1, 0.5, 0.4], [0.3, 0.3, 0.4]])
        let c = table([[0.1, 0.6, 0.3], [0.2, 0.7, 0.1]])
        let vote = Voting.soft.combine([a, b, c])
        // Mean of example 0: [0.3, 0.4333, 0.2667] -> class 1; example 1: [0.2, 0.3667, 0.4333] -> class 2.
        #expect(vote.predictions == [1, 2])
        let mean = vote.meanProbabilities
        #expect(abs(mean[0, 1] - 1.3 / 3) < 1e-6)
        #expect(abs(mean[1, 2] - 1.3 / 3) < 1e-6)
        #expect(vote.probabilities == mean)
    }

    @Test func hardVotingFollowsTheMajorityNotTheMeanProbability() {
        // Members vote 0, 1, 1; the mean probability favours class 0 (0.6 vs 0.4).
        let a = table([[1.0, 0.0]])
        let b = table([[0.4, 0.6]])
        let c = table([[0.4, 0.6]])
        #expect(Voting.hard.combine([a, b, c]).predictions == [1])
        #expect(Voting.soft.combine([a, b, c]).predictions == [0])
        let shares = Voting.hard.combine([a, b, c]).probabilities
        #expect(abs(shares[0, 0] - 1.0 / 3) < 1e-6 && abs(shares[0, 1] - 2.0 / 3) < 1e-6)
    }

    @Test func hardVotingTieGoesToTheHighestMeanProbability() {
        // One vote each for classes 0 and 1: the mean probability decides, whichever
        // member comes first.
        let up = table([[0.6, 0.4, 0.0]]), down = table([[0.1, 0.9, 0.0]])
        #expect(Voting.hard.combine([up, down]).predictions == [1])  // mean [0.35, 0.65]
        #expect(Voting.hard.combine([down, up]).predictions == [1])
        let strong = table([[0.9, 0.1, 0.0]]), weak = table([[0.45, 0.55, 0.0]])
        #expect(Voting.hard.combine([strong, weak]).predictions == [0])  // mean [0.675, 0.325]
        #expect(Voting.hard.combine([weak, strong]).predictions == [0])
    }

    @Test func hardVotingTieOnlyAmongTheTopVotedClasses() {
        // Votes: class 0 twice, class 1 twice, class 2 once; class 2 has the highest mean
        // probability but is not tied for the most votes.
        let members = [
            table([[0.40, 0.0, 0.38]]), table([[0.40, 0.0, 0.38]]),
            table([[0.0, 0.40, 0.38]]), table([[0.0, 0.45, 0.38]]),
            table([[0.0, 0.0, 1.0]]),
        ]
        #expect(Voting.hard.combine(members).predictions == [1])  // mean of 1 (0.17) beats 0 (0.16)
        #expect(Voting.soft.combine(members).predictions == [2])
    }

    @Test func exactTiesGoToTheLowestClass() {
        let a = table([[0.5, 0.5], [0.25, 0.75]])
        let b = table([[0.5, 0.5], [0.75, 0.25]])
        #expect(Voting.soft.combine([a, b]).predictions == [0, 0])
        #expect(Voting.hard.combine([a, b]).predictions == [0, 0])
        // A member's own argmax takes the lowest index on a tie, so both vote 0 here.
        let shares = Voting.hard.combine([a, b]).probabilities
        #expect(shares[0, 0] == 1 && shares[0, 1] == 0)
    }

    @Test func weightsShiftBothRules() {
        let a = table([[0.8, 0.2]]), b = table([[0.3, 0.7]]), c = table([[0.3, 0.7]])
        #expect(Voting.soft.combine([a, b, c]).predictions == [1])                        // 1.4 vs 1.6
        #expect(Voting.soft.combine([a, b, c], weights: [3, 1, 1]).predictions == [0])    // 3.0 vs 2.0
        #expect(Voting.soft.combine([a, b, c], weights: [1, 2, 2]).predictions == [1])    // 2.0 vs 3.0
        #expect(Voting.hard.combine([a, b, c]).predictions == [1])                        // 1 vote vs 2
        #expect(Voting.hard.combine([a, b, c], weights: [2.5, 1, 1]).predictions == [0])  // 2.5 vs 2
        #expect(Voting.hard.combine([a, b, c], weights: [2, 1, 1]).predictions == [0])    // 2 vs 2: mean 0.55 vs 0.45
        #expect(Voting.hard.combine([a, b, c], weights: [0, 1, 1]).predictions == [1])    // weight 0: no say
        let mean = Voting.hard.combine([a, b, c], weights: [2, 1, 1]).meanProbabilities
        #expect(abs(mean[0, 0] - 0.55) < 1e-6)
    }

    @Test func voteSharesAndMeansAreDistributions() {
        var rng = RandomGenerator(seed: 3)
        let tables = (0..<4).map { _ -> Tensor in
            let raw = Tensor.uniform([6, 5], low: 0.01, high: 1, using: &rng)
            return Tensor(shape: [6, 5], scalars: (0..<6).flatMap { r -> [Float] in
                let row = Array(raw.scalars[(r * 5)..<(r * 5 + 5)])
                let s = row.reduce(0, +)
                return row.map { $0 / s }
            })
        }
        for voting in Voting.allCases {
            let vote = voting.combine(tables, weights: [1, 2, 0.5, 1])
            for r in 0..<6 {
                let sum = (0..<5).reduce(Float(0)) { $0 + vote.probabilities[r, $1] }
                #expect(abs(sum - 1) < 1e-5, "\(voting) row \(r) sums to \(sum)")
            }
        }
    }

    @Test func invalidWeightsAreErrors() {
        #expect(throws: EnsembleError.self) { try Voting.checkWeights([1, 2], members: 3) }
        #expect(throws: EnsembleError.self) { try Voting.checkWeights([1, -1, 1], members: 3) }
        #expect(throws: EnsembleError.self) { try Voting.checkWeights([0, 0], members: 2) }
        #expect(throws: EnsembleError.self) { try Voting.checkWeights([1, .nan], members: 2) }
        #expect(throws: EnsembleError.self) { try Voting.checkWeights([1, .infinity], members: 2) }
        #expect(throws: Never.self) { try Voting.checkWeights([0, 1], members: 2) }
    }
}
