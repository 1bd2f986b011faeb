import Foundation
import KilnDistributed
import KilnTensor

/// What one trial reported: a score to maximize (dev accuracy, say) and optionally a loss
/// that breaks ties. A nil score marks a failed trial (diverged, say), ranked last.
public struct TrialResult: Sendable, Equatable, Codable {
    /// What the search maximizes; nil marks a failed trial.
    public var score: Double?
    /// Breaks ties between equal scores (lower is better); nil: no tie-break.
    public var loss: Double?
    /// Why the trial failed, or any remark worth printing.
    public var note: String?

    /// A result with `score`, an optional `loss` and an optional note.
    public init(score: Double?, loss: Double? = nil, note: String? = nil) {
        self.score = score
        self.loss = loss
        self.note = note
    }
}

/// Where a trial came from: a round of random search (1 is the coarse round) or the grid.
public enum TrialSource: Sendable, Hashable, CustomStringConvertible {
    /// A trial of random search's round `round` (1 is the coarse round).
    case random(round: Int)
    /// A trial of the grid.
    case grid

    public var description: String {
        switch self {
        case .random(let round): return "random \(round)"
        case .grid: return "grid"
        }
    }
}

/// One evaluated configuration.
public struct SearchTrial: Sendable, Equatable {
    /// Position in its search (random: across all rounds; grid: in grid order).
    public var index: Int
    /// Where the trial came from.
    public var source: TrialSource
    /// The hyper-parameters tried.
    public var configuration: Configuration
    /// The seed handed to the evaluation (weights, shuffling): fixed by the search seed
    /// and `index`, never by which worker ran the trial.
    public var seed: UInt64
    /// What the evaluation reported.
    public var result: TrialResult

    /// The result's score (nil: failed).
    public var score: Double? { result.score }

    /// Best first: higher score, then lower loss, then earlier trial; failed trials last.
    public static func ranked(_ trials: [SearchTrial]) -> [SearchTrial] {
        trials.sorted { a, b in
            switch (a.score, b.score) {
            case (nil, nil): return a.index < b.index
            case (nil, _): return false
            case (_, nil): return true
            case (let x?, let y?):
                if x != y { return x > y }
                let la = a.result.loss ?? .infinity, lb = b.result.loss ?? .infinity
                if la != lb { return la < lb }
                if a.source != b.source { return a.source.description < b.source.description }
                return a.index < b.index
            }
        }
    }
}

/// Evaluates one configuration with a seed and reports its result. Called from several
/// tasks at once when `jobs > 1`, so it must build its own model and trainer.
public typealias TrialEvaluation = @Sendable (Configuration, UInt64) throws -> TrialResult

/// One trial to run: its position in the search, where it came from, its configuration
/// and its evaluation seed (fixed by the search seed and the index).
public struct TrialTask: Sendable, Equatable {
    /// The trial's position in its search.
    public let index: Int
    /// Where the trial came from.
    public let source: TrialSource
    /// The hyper-parameters to try.
    public let configuration: Configuration
    /// The seed for the evaluation (weights, shuffling).
    public let seed: UInt64
}

/// Runs a round's (or the grid's) trials and returns their results in the same order:
/// in this process (``TrialRunners/parallel(jobs:evaluate:)``), over MPI ranks
/// (``TrialRunners/distributed(_:jobs:evaluate:)``), or from a scheduler's job-array
/// results. A runner may throw to end the search early.
public typealias TrialRunner = ([TrialTask]) async throws -> [TrialResult]

/// The built-in ways to run trials.
public enum TrialRunners {
    /// At most `jobs` trials at once in this process.
    public static func parallel(jobs: Int, evaluate: @escaping TrialEvaluation) -> TrialRunner {
        { tasks in try await parallelMap(tasks, jobs: jobs) { try evaluate($0.configuration, $0.seed) } }
    }

    /// Trials dealt out over the ranks (rank r runs trials r, r + P, … of each round, `jobs`
    /// at a time), results gathered on every rank, so every rank sees the same results in
    /// the same order and samples the same next round: the search equals the
    /// one-process search, whatever the number of ranks.
    public static func distributed(_ communicator: any Communicator, jobs: Int, evaluate: @escaping TrialEvaluation) -> TrialRunner {
        { tasks in
            let mine = communicator.share(of: tasks.count).map { tasks[$0] }
            let results = try await parallelMap(mine, jobs: jobs) { try evaluate($0.configuration, $0.seed) }
            let encoder = JSONEncoder()
            let gathered = try communicator.allgatherBytes(Array(try encoder.encode(results)))
            let perRank = try gathered.map { try JSONDecoder().decode([TrialResult].self, from: Data($0)) }
            return try tasks.indices.map { k in
                let rank = k % communicator.size, position = k / communicator.size
                guard position < perRank[rank].count else {
                    throw CommunicationError("rank \(rank) sent \(perRank[rank].count) trial results, expected more")
                }
                return perRank[rank][position]
            }
        }
    }
}

/// Random search, coarse to fine (the course notes' recipe): round 1 samples
/// `trialsPerRound` configurations from `space`; each later round samples as many from
/// the space shrunk around the `keepTop` best trials so far
/// (``SearchSpace/shrunk(around:margin:maxFraction:)``).
///
/// Deterministic: round r's configurations come from a generator seeded by (seed, r), and
/// trial i is evaluated with a seed derived from (seed, i), so the trials and their
/// results are the same for any number of `jobs`.
public struct RandomSearch: Sendable {
    /// The space round 1 samples.
    public var space: SearchSpace
    /// Configurations sampled per round.
    public var trialsPerRound: Int
    /// The number of rounds (default 2: coarse, then fine).
    public var rounds: Int
    /// How many of the best trials so far the next round's space is shrunk around (default 5).
    public var keepTop: Int
    /// The search seed: round r samples from (seed, r), trial i evaluates with a seed from
    /// (seed, i).
    public var seed: UInt64
    /// Passed to `shrunk`: widening around the top values, and the largest width kept.
    public var margin: Double = 0.1
    /// The largest share of a dimension's width a shrunk range keeps (default 0.5).
    public var maxFraction: Double = 0.5

    /// One round: the space it sampled and its trials in order.
    public struct Round: Sendable {
        /// The round number, from 1.
        public var number: Int
        /// The space this round sampled.
        public var space: SearchSpace
        /// The round's trials, in order.
        public var trials: [SearchTrial]
    }

    /// A search of `rounds` rounds of `trialsPerRound` trials each, shrinking around the
    /// `keepTop` best.
    public init(space: SearchSpace, trialsPerRound: Int, rounds: Int = 2, keepTop: Int = 5, seed: UInt64 = 1) {
        precondition(trialsPerRound >= 1 && rounds >= 1 && keepTop >= 1, "RandomSearch: trials, rounds and keepTop must be positive")
        self.space = space
        self.trialsPerRound = trialsPerRound
        self.rounds = rounds
        self.keepTop = keepTop
        self.seed = seed
    }

    /// The configurations round `number` samples from `space` (no evaluation).
    public func configurations(round number: Int, space: SearchSpace) -> [Configuration] {
        var rng = RandomGenerator(seed: mixSeed(seed, stream: 0x5EA_0000 &+ UInt64(number)))
        return space.samples(trialsPerRound, using: &rng)
    }

    /// Runs every round, at most `jobs` trials at a time. `roundDidEnd` sees each finished
    /// round (for progress output). Rethrows the first error an evaluation throws.
    public func run(jobs: Int = 1, evaluate: @escaping TrialEvaluation,
                    roundDidEnd: (Round) -> Void = { _ in }) async throws -> [Round] {
        try await run(runner: TrialRunners.parallel(jobs: jobs, evaluate: evaluate), roundDidEnd: roundDidEnd)
    }

    /// Runs every round through `runner`.
    public func run(runner: TrialRunner, roundDidEnd: (Round) -> Void = { _ in }) async throws -> [Round] {
        var result: [Round] = []
        var current = space
        var all: [SearchTrial] = []
        for number in 1...rounds {
            if number > 1 {
                let top = SearchTrial.ranked(all).filter { $0.score != nil }.prefix(keepTop).map(\.configuration)
                current = current.shrunk(around: Array(top), margin: margin, maxFraction: maxFraction)
            }
            let configurations = configurations(round: number, space: current)
            let firstIndex = (number - 1) * trialsPerRound
            let trials = try await runTrials(configurations, source: .random(round: number), firstIndex: firstIndex,
                                             seed: seed, runner: runner)
            all += trials
            let round = Round(number: number, space: current, trials: trials)
            roundDidEnd(round)
            result.append(round)
        }
        return result
    }
}

/// Grid search over a space with about `budget` trials (``SearchSpace/grid(budget:)``),
/// for comparison with random search at the same cost.
public struct GridSearch: Sendable {
    /// The space the grid covers.
    public var space: SearchSpace
    /// About how many grid points to try.
    public var budget: Int
    /// The search seed: trial i evaluates with a seed from (seed, i).
    public var seed: UInt64

    /// A grid search of `space` with about `budget` points.
    public init(space: SearchSpace, budget: Int, seed: UInt64 = 1) {
        self.space = space
        self.budget = budget
        self.seed = seed
    }

    /// The grid's configurations, in order.
    public var configurations: [Configuration] { space.grid(budget: budget) }

    /// Evaluates every grid point, at most `jobs` at once in this process; the trials in grid
    /// order.
    public func run(jobs: Int = 1, evaluate: @escaping TrialEvaluation) async throws -> [SearchTrial] {
        try await run(runner: TrialRunners.parallel(jobs: jobs, evaluate: evaluate))
    }

    /// Evaluates every grid point through `runner` (threads, MPI ranks, a job array); the
    /// trials in grid order.
    public func run(runner: TrialRunner) async throws -> [SearchTrial] {
        try await runTrials(configurations, source: .grid, firstIndex: 0, seed: seed ^ 0x6E1D, runner: runner)
    }
}

/// Runs `configurations` through `runner`; trial `k` gets index `firstIndex + k` and the
/// seed derived from (`seed`, index). Results keep input order.
func runTrials(_ configurations: [Configuration], source: TrialSource, firstIndex: Int, seed: UInt64,
               runner: TrialRunner) async throws -> [SearchTrial] {
    let tasks = configurations.enumerated().map { k, c in
        TrialTask(index: firstIndex + k, source: source, configuration: c, seed: mixSeed(seed, stream: UInt64(firstIndex + k)))
    }
    let results = try await runner(tasks)
    guard results.count == tasks.count else { preconditionFailure("a TrialRunner returned \(results.count) results for \(tasks.count) trials") }
    return zip(tasks, results).map { task, r in
        SearchTrial(index: task.index, source: source, configuration: task.configuration, seed: task.seed, result: r)
    }
}

/// `body` applied to every element with at most `jobs` calls in flight (structured
/// concurrency: a task group that starts the next element whenever one finishes);
/// results in input order. The first error cancels the rest and is rethrown.
///
/// `body` runs synchronously on the concurrency pool's threads, so more jobs than cores
/// only queue; the results never depend on `jobs`.
public func parallelMap<T: Sendable, R: Sendable>(_ items: [T], jobs: Int,
                                                  _ body: @escaping @Sendable (T) throws -> R) async throws -> [R] {
    precondition(jobs >= 1, "parallelMap: jobs must be at least 1")
    return try await withThrowingTaskGroup(of: (Int, R).self) { group in
        var results = [R?](repeating: nil, count: items.count)
        var next = 0
        while next < min(jobs, items.count) {
            let i = next, item = items[i]
            group.addTask { (i, try body(item)) }
            next += 1
        }
        while let (i, r) = try await group.next() {
            results[i] = r
            if next < items.count {
                let j = next, item = items[j]
                group.addTask { (j, try body(item)) }
                next += 1
            }
        }
        return results.map { $0! }
    }
}


