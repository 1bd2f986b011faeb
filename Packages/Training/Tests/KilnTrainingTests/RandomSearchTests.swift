import Foundation
import Testing
import KilnTensor
@testable import KilnTraining

@Suite struct RandomSearchTests {
    /// A smooth objective with its peak at lr = 10^-2.5, l2 = 10^-4 (hidden is ignored).
    static let objective: TrialEvaluation = { configuration, _ in
        let lr = log10(configuration.double("lr", default: 1)), l2 = log10(configuration.double("l2", default: 1))
        let score = 1 - (lr + 2.5) * (lr + 2.5) / 4 - (l2 + 4) * (l2 + 4) / 40
        return TrialResult(score: score, loss: -score)
    }

    static let space = try! SearchSpace(parsing: "lr=log(1e-5, 1), l2=log(1e-7, 1e-1), hidden=choice(64, 128, 256)")

    /// Each round's lr range is narrower than the last and contains the best trial so
    /// far; the later rounds score better on average than the coarse one.
    @Test func coarseToFineShrinksAroundTheBestTrials() async throws {
        let search = RandomSearch(space: Self.space, trialsPerRound: 20, rounds: 3, keepTop: 4, seed: 5)
        let rounds = try await search.run(jobs: 2, evaluate: Self.objective)
        #expect(rounds.count == 3)
        #expect(rounds.allSatisfy { $0.trials.count == 20 })
        var seen: [SearchTrial] = []
        for (k, round) in rounds.enumerated() {
            if k > 0 {
                let previous = rounds[k - 1].space
                #expect(round.space.width(of: "lr")! <= 0.5 * previous.width(of: "lr")! + 1e-9)
                #expect(round.space.width(of: "l2")! <= 0.5 * previous.width(of: "l2")! + 1e-9)
                let best = SearchTrial.ranked(seen)[0].configuration
                for name in ["lr", "l2"] {
                    guard case .logUniform(let a, let b) = round.space.dimension(name)!.distribution else { Issue.record("\(name) kind"); return }
                    let v = best[name]!.double!
                    #expect(a <= v * (1 + 1e-12) && v <= b * (1 + 1e-12), "round \(round.number) \(name) [\(a), \(b)] misses the best \(v)")
                }
                // Every trial of the round lies in its space.
                for t in round.trials {
                    guard case .logUniform(let a, let b) = round.space.dimension("lr")!.distribution else { return }
                    #expect(t.configuration["lr"]!.double! >= a && t.configuration["lr"]!.double! <= b)
                }
            }
            seen += round.trials
        }
        func mean(_ trials: [SearchTrial]) -> Double { trials.reduce(0) { $0 + $1.score! } / Double(trials.count) }
        #expect(mean(rounds[2].trials) > mean(rounds[0].trials) + 0.2, "\(mean(rounds[0].trials)) -> \(mean(rounds[2].trials))")
        let best = SearchTrial.ranked(rounds.flatMap(\.trials))[0]
        #expect(abs(log10(best.configuration.double("lr", default: 0)) + 2.5) < 0.3, "best \(best.configuration)")
    }

    /// Trials, seeds and results do not depend on how many run at once.
    @Test func resultsDoNotDependOnJobs() async throws {
        let search = RandomSearch(space: Self.space, trialsPerRound: 12, rounds: 2, keepTop: 3, seed: 9)
        // Seed-dependent objective: the score mixes in the trial's seed.
        let evaluate: TrialEvaluation = { c, seed in
            var rng = RandomGenerator(seed: seed)
            return TrialResult(score: try Self.objective(c, seed).score! + Double(rng.uniform()) * 0.01)
        }
        let one = try await search.run(jobs: 1, evaluate: evaluate).flatMap(\.trials)
        let four = try await search.run(jobs: 4, evaluate: evaluate).flatMap(\.trials)
        #expect(one == four)
        #expect(Set(one.map(\.seed)).count == one.count, "distinct seeds per trial")
        #expect(one.map(\.index) == Array(0..<24))
    }

    @Test func gridSearchUsesTheBudget() async throws {
        let trials = try await GridSearch(space: Self.space, budget: 40).run(jobs: 3, evaluate: Self.objective)
        #expect(trials.count == 27)  // 3 choices x 3 x 3
        #expect(trials.allSatisfy { $0.source == .grid })
        #expect(SearchTrial.ranked(trials)[0].score! <= 1)
    }

    @Test func rankingPutsFailedTrialsLastAndBreaksTiesByLoss() {
        let c = Configuration([("lr", .number(0.1))])
        func trial(_ i: Int, _ score: Double?, _ loss: Double?) -> SearchTrial {
            SearchTrial(index: i, source: .random(round: 1), configuration: c, seed: 0, result: TrialResult(score: score, loss: loss))
        }
        let ranked = SearchTrial.ranked([trial(0, nil, nil), trial(1, 0.5, 0.9), trial(2, 0.8, 0.5), trial(3, 0.5, 0.7)])
        #expect(ranked.map(\.index) == [2, 3, 1, 0])
    }

    @Test func parallelMapKeepsOrderAndRethrows() async throws {
        let squares = try await parallelMap(Array(0..<50), jobs: 3) { $0 * $0 }
        #expect(squares == (0..<50).map { $0 * $0 })
        struct Boom: Error {}
        await #expect(throws: Boom.self) {
            _ = try await parallelMap(Array(0..<10), jobs: 2) { i in
                if i == 7 { throw Boom() }
                return i
            }
        }
    }
}
