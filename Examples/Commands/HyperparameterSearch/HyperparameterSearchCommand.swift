import ArgumentParser
import Foundation
import KilnData
import KilnExampleSupport
import KilnPlot
import KilnTensor
import KilnTraining

/// `hyperparameter-search`: the course notes' recipe. Random search with log-uniform
/// sampling over a search-space spec, short trials scored on a dev split, coarse-to-fine
/// rounds that shrink the ranges around the best trials, and a grid search with the same
/// budget for comparison. Prints each round, a leaderboard, and draws learning rate
/// against dev accuracy. Trials run in parallel (`--jobs`); the results do not depend on it.
public struct HyperparameterSearchCommand: AsyncParsableCommand {
    public init() {}

    static let defaultSpace = "lr=log(1e-4, 1e-1), l2=log(1e-6, 1e-2), hidden=choice(64, 128, 256)"

    public static let configuration = CommandConfiguration(
        commandName: "hyperparameter-search",
        abstract: "Random search on a log scale, coarse to fine, against grid search (dev accuracy of short trials).",
        discussion: """
            Search space: NAME=log(a, b) | uniform(a, b) | int(a, b) | choice(v, ...),
            separated by commas. Names: lr, l2, l1, hidden, layers, dropout,
            momentum (--optimizer sgd), batch.
            log(a, b) samples log10 uniformly: each decade gets the same share.
            Each round after the first samples from ranges shrunk around the --top
            best trials so far.

            Examples:
              hyperparameter-search --svg hyperparameter-search.svg
              hyperparameter-search --optimizer sgd --space "momentum=uniform(0.5, 0.99)"
              hyperparameter-search --trials 30 --rounds 3 --epochs 3 --jobs 4
              mpirun -np 2 hyperparameter-search --distributed mpi     # trials dealt out to 2 processes
              hyperparameter-search --trial 7 --save trials            # one job-array task
              hyperparameter-search --collect trials                   # the leaderboard of a job array
            """)

    @Option(help: "Random trials per round.")
    var trials = 20

    @Option(help: "Rounds of random search (1: coarse only; each later round is finer).")
    var rounds = 2

    @Option(help: "Best trials that set the next round's ranges.")
    var top = 5

    @Option(help: "Training epochs per trial (short trials: enough to rank configurations).")
    var epochs = 2

    @Option(help: "Trials run at the same time (the default is the number of cores, at most 8; the results never depend on it).")
    var jobs = min(8, Parallel.availableCores)

    @Option(help: "Worker threads in all (default: the cores this process may use), shared evenly by the jobs: each trial's trainer runs max(1, threads / jobs). The results never depend on it.")
    var threads = Parallel.availableCores

    @Option(help: ArgumentHelp("The search space.", valueName: "spec"))
    var space = HyperparameterSearchCommand.defaultSpace

    @Option(help: "Grid-search budget in trials (default: as many as the random rounds together; 0: no grid).")
    var grid: Int?

    @Option(help: "Optimizer family the trials use: adam or sgd (momentum from the space or 0.9).")
    var optimizer = "adam"

    @Option(name: .customLong("final-epochs"), help: "Train the best configuration this many epochs and report its test accuracy (the test set's only use; 0: skip).")
    var finalEpochs = 5

    @Option(help: ArgumentHelp("Write the scatter plot (learning rate against dev accuracy) to FILE.", valueName: "file"))
    var svg: String?

    @Option(help: ArgumentHelp("Data: fashion-mnist (Debian's IDX files), idx:DIR, png:DIR.", valueName: "source"))
    var data = "fashion-mnist"

    @Option(help: "Use only the first N training images (short trials on a subset).")
    var limit = 10_000

    @Option(name: .customLong("dev-size"), help: "Images of the subset held out as the dev split the trials are scored on.")
    var devSize = 2000

    @Option(name: .customLong("batch-size"), help: "Mini-batch size (unless the space has batch).")
    var batchSize = 64

    @Option(help: "Random seed (sampling, weights, shuffling, the dev split).")
    var seed: UInt64 = 1

    @Option(help: DistributedMode.help)
    var distributed: DistributedMode = .none

    @Option(help: ArgumentHelp("Evaluate only trial K (0-based: random trials across rounds, then the grid) and write it to the --save directory (a job-array task).", valueName: "K"))
    var trial: Int?

    @Option(help: ArgumentHelp("The directory --trial writes its result to.", valueName: "dir"))
    var save: String?

    @Option(help: ArgumentHelp("Read every trial of a job array from DIR and print the search's results (same options as the tasks).", valueName: "dir"))
    var collect: String?

    /// Runs the command with the error contract (see `CommandMain`).
    public static func main() { CommandMain.startAsync(HyperparameterSearchCommand.self) }

    func recipe(classes: Int) -> TrialRecipe {
        TrialRecipe(optimizer: optimizer, batchSize: batchSize, epochs: epochs, classes: classes, threads: max(1, threads / jobs))
    }

    public mutating func validate() throws {
        guard (1...10_000).contains(trials) else { throw ValidationError("--trials must be between 1 and 10000, got \(trials)") }
        guard (1...20).contains(rounds) else { throw ValidationError("--rounds must be between 1 and 20, got \(rounds)") }
        guard top >= 1 else { throw ValidationError("--top must be at least 1, got \(top)") }
        guard (1...1000).contains(epochs) else { throw ValidationError("--epochs must be between 1 and 1000, got \(epochs)") }
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 256, got \(jobs)") }
        try validateThreads(threads)
        if let grid, !(0...100_000).contains(grid) { throw ValidationError("--grid must be between 0 and 100000, got \(grid)") }
        guard ["adam", "sgd"].contains(optimizer) else { throw ValidationError("--optimizer must be adam or sgd, got '\(optimizer)'") }
        guard limit >= 2 else { throw ValidationError("--limit must be at least 2, got \(limit)") }
        guard devSize >= 1 && devSize < limit else { throw ValidationError("--dev-size must be between 1 and --limit - 1 (\(limit - 1)), got \(devSize)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if let svg, svg.isEmpty { throw ValidationError("--svg needs a file name") }
        _ = try DataSource(parsing: data)
        let parsed: SearchSpace
        do { parsed = try SearchSpace(parsing: space) } catch { throw ValidationError("--space: \(error)") }
        do { try recipe(classes: 10).check(parsed) } catch let error as RecipeError {
            let column = error.dimension.flatMap { parsed.column(of: $0) }
            throw ValidationError("--space: search space \"\(space)\"" + (column.map { " at column \($0)" } ?? "") + ": \(error)")
        }
        guard finalEpochs >= 0 && finalEpochs <= 1000 else { throw ValidationError("--final-epochs must be between 0 and 1000, got \(finalEpochs)") }
        if let trial {
            let gridCount = gridBudget > 0 ? GridSearch(space: parsed, budget: gridBudget, seed: seed).configurations.count : 0
            let total = rounds * trials + gridCount
            guard (0..<total).contains(trial) else {
                throw ValidationError("--trial must be between 0 and \(total - 1) (\(rounds) rounds of \(trials) random trials, then \(gridCount) grid trials), got \(trial)")
            }
            guard let save, !save.isEmpty else { throw ValidationError("--trial needs --save DIR (where its result goes)") }
            if collect != nil { throw ValidationError("--trial and --collect cannot be combined") }
        } else if save != nil {
            throw ValidationError("--save goes with --trial (a job-array task's result)")
        }
        if let collect, collect.isEmpty { throw ValidationError("--collect needs a directory name") }
        if distributed != .none && (trial != nil || collect != nil) {
            throw ValidationError("--distributed cannot be combined with --trial or --collect (an MPI launch or a scheduler's job array, not both)")
        }
    }

    /// Grid trials requested (the default budget: as many as the random trials together).
    var gridBudget: Int { grid ?? rounds * trials }

    /// The options that decide every trial's configuration and result.
    var fingerprint: String {
        "space=\(space) trials=\(trials) rounds=\(rounds) top=\(top) grid=\(gridBudget) epochs=\(epochs) optimizer=\(optimizer) "
            + "data=\(data) limit=\(limit) dev-size=\(devSize) batch-size=\(batchSize) seed=\(seed)"
    }

    public func run() async throws {
        BLAS.threadCount = 1
        let world = try distributed.communicator()
        // Rank 0 alone prints and draws; a job-array task prints its one trial.
        let isRoot = world.rank == 0
        let print: (String) -> Void = isRoot ? { Swift.print($0) } : { _ in }
        if isRoot { try checkOutputFile(svg, flag: "--svg") }
        let searchSpace = try SearchSpace(parsing: space)
        let options = try TrainingOptions.parse(["--data", data, "--limit", "\(limit)", "--dev-size", "\(devSize)", "--seed", "\(seed)"])
        let loaded = try ClassificationData.load(options)
        guard let dev = loaded.dev else { throw ExampleError("no dev split") }
        let train = loaded.train
        let recipe = recipe(classes: train.classNames.count)
        print("data: \(train.count) train, \(dev.count) dev images (the first \(limit) of \(data)); \(epochs) epoch\(epochs == 1 ? "" : "s") per trial, \(optimizer), batch \(batchSize), seed \(seed), \(jobs) job\(jobs == 1 ? "" : "s")"
            + (world.size > 1 ? " on each of \(world.size) MPI ranks" : ""))
        print("space: \(searchSpace)")
        let evaluate: TrialEvaluation = { c, s in try recipe.evaluate(c, seed: s, train: train, dev: dev) }
        let runner: TrialRunner
        if let trial, let save {
            runner = arrayTaskRunner(trial: trial, folder: TrialFolder(path: save, fingerprint: fingerprint), evaluate: evaluate)
        } else if let collect {
            let folder = TrialFolder(path: collect, fingerprint: fingerprint)
            runner = { tasks in try folder.read(tasks, flag: "--collect") }
        } else if world.size > 1 {
            runner = TrialRunners.distributed(world, jobs: jobs, evaluate: evaluate)
        } else {
            runner = TrialRunners.parallel(jobs: jobs, evaluate: evaluate)
        }
        do {
            try await search(searchSpace, runner: runner, train: train, test: loaded.test, recipe: recipe, isRoot: isRoot, print: print)
        } catch let written as TrialWritten {
            let score = written.result.score.map { "dev accuracy \(formatFixed($0, 4))" } ?? (written.result.note ?? "failed")
            Swift.print("trial \(trial!) (\(written.task.source)\(written.task.source == .grid ? " \(written.task.index)" : "")): \(written.task.configuration): \(score); wrote \(save!)/\(TrialFolder(path: save!, fingerprint: fingerprint).fileName(written.task))")
        }
    }

    /// The runner of `--trial K`: earlier rounds' results come from the folder, trial K is
    /// evaluated and written, and the search ends (``TrialWritten``).
    func arrayTaskRunner(trial: Int, folder: TrialFolder, evaluate: @escaping TrialEvaluation) -> TrialRunner {
        let randomTotal = rounds * trials
        return { tasks in
            let target = tasks.first { task in
                if case .grid = task.source { return trial >= randomTotal && task.index == trial - randomTotal }
                return task.index == trial
            }
            guard let target else { return try folder.read(tasks, flag: "--trial \(trial)") }
            let result = try evaluate(target.configuration, target.seed)
            try folder.write(target, result)
            throw TrialWritten(task: target, result: result)
        }
    }

    /// The search proper: random rounds, the grid, the leaderboard, the final training.
    func search(_ searchSpace: SearchSpace, runner: TrialRunner, train: TensorDataset, test: TensorDataset, recipe: TrialRecipe,
                isRoot: Bool, print: (String) -> Void) async throws {
        let search = RandomSearch(space: searchSpace, trialsPerRound: trials, rounds: rounds, keepTop: top, seed: seed)
        var clock = Date()
        // A grid task of a job array skips the random rounds (the grid needs none of them).
        let skipRandom = (trial ?? 0) >= rounds * trials
        let randomRounds = skipRandom ? [] : try await search.run(runner: runner) { round in
            let seconds = Date().timeIntervalSince(clock)
            clock = Date()
            print("round \(round.number) (\(round.number == 1 ? "coarse" : "finer")): \(round.trials.count) trials in \(formatFixed(seconds, 1)) s; \(summary(round.trials))")
            if round.number > 1 { print("  sampled from: \(round.space.formatted())") }
        }
        let randomTrials = randomRounds.flatMap(\.trials)
        let budget = gridBudget
        var gridTrials: [SearchTrial] = []
        if budget > 0 {
            let gridSearch = GridSearch(space: searchSpace, budget: budget, seed: seed)
            let perAxis = searchSpace.gridPointsPerAxis(budget: budget)
            let shape = searchSpace.dimensions.map { "\(SearchSpace.gridValues($0.distribution, points: perAxis).count)" }.joined(separator: " x ")
            clock = Date()
            gridTrials = try await gridSearch.run(runner: runner)
            print("grid (\(shape) = \(gridTrials.count) trials, cell centres): \(formatFixed(Date().timeIntervalSince(clock), 1)) s; \(summary(gridTrials))")
        }

        let all = randomTrials + gridTrials
        print("")
        print(leaderboard(SearchTrial.ranked(all), names: searchSpace.names, shown: 10, total: all.count))
        if let bestRandom = SearchTrial.ranked(randomTrials).first, let score = bestRandom.score {
            var line = "best random (\(randomTrials.count) trials): dev accuracy \(formatFixed(score, 4)) at \(bestRandom.configuration)"
            if let bestGrid = SearchTrial.ranked(gridTrials).first, let gridScore = bestGrid.score {
                line += "\nbest grid   (\(gridTrials.count) trials): dev accuracy \(formatFixed(gridScore, 4)) at \(bestGrid.configuration)"
            }
            print(line)
        }
        // The final training and the plot are rank 0's.
        guard isRoot else { return }
        if finalEpochs > 0, let best = SearchTrial.ranked(all).first, best.score != nil {
            var final = recipe
            final.epochs = finalEpochs
            final.threads = threads
            clock = Date()
            let result = try final.evaluate(best.configuration, seed: best.seed, train: train, dev: test)
            let accuracy = result.score.map { formatFixed($0, 4) } ?? (result.note ?? "failed")
            print("final: the best configuration (\(best.configuration)) trained \(finalEpochs) epoch\(finalEpochs == 1 ? "" : "s") on the \(train.count) training images: test accuracy \(accuracy) on \(test.count) test images (\(formatFixed(Date().timeIntervalSince(clock), 1)) s; the test set's only use)")
        }
        if let svg {
            try drawScatter(rounds: randomRounds, grid: gridTrials, space: searchSpace).write(to: svg)
            print("wrote \(svg)")
        }
    }
}

/// `best dev accuracy 0.8432 (lr=..., ...), 1 diverged`.
func summary(_ trials: [SearchTrial]) -> String {
    let failed = trials.count { $0.score == nil }
    guard let best = SearchTrial.ranked(trials).first, let score = best.score else { return "every trial failed" }
    return "best dev accuracy \(formatFixed(score, 4)) (\(best.configuration))" + (failed > 0 ? ", \(failed) failed" : "")
}

func leaderboard(_ ranked: [SearchTrial], names: [String], shown: Int, total: Int) -> String {
    func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count) }
    var lines = ["leaderboard (top \(min(shown, ranked.count)) of \(total) trials, by dev accuracy):",
                 pad("rank", 6) + pad("source", 10) + names.map { pad($0, 11) }.joined() + pad("dev acc", 9) + "dev loss"]
    for (k, t) in ranked.prefix(shown).enumerated() {
        let values = names.map { pad(t.configuration[$0]?.description ?? "-", 11) }.joined()
        let score = t.score.map { formatFixed($0, 4) } ?? (t.result.note ?? "failed")
        lines.append(pad("\(k + 1)", 6) + pad(t.source.description, 10) + values + pad(score, 9) + (t.result.loss.map { formatFixed($0, 4) } ?? "-"))
    }
    return lines.joined(separator: "\n")
}

/// Learning rate (log axis) against dev accuracy, one group per random round and one for
/// the grid. Without `lr` in the space the x axis is its first numeric dimension.
func drawScatter(rounds: [RandomSearch.Round], grid: [SearchTrial], space: SearchSpace) -> ScatterPlot {
    let xDimension = space.dimension("lr") ?? space.dimensions.first { d in
        if case .choice(let values) = d.distribution { return values.allSatisfy { $0.double != nil } }
        return true
    }
    let xName = xDimension?.name ?? "lr"
    let logX: Bool
    if case .logUniform = xDimension?.distribution { logX = true } else { logX = false }
    func points(_ trials: [SearchTrial]) -> [Point] {
        trials.compactMap { t in
            guard let x = t.configuration[xName]?.double, let y = t.score else { return nil }
            return Point(x, y)
        }
    }
    var groups = rounds.map { r in
        ScatterPlot.Group(name: r.number == 1 ? "random, round 1 (coarse)" : "random, round \(r.number)", points: points(r.trials),
                          marker: .circle)
    }
    if !grid.isEmpty { groups.append(ScatterPlot.Group(name: "grid", points: points(grid), color: "#555555", marker: .cross)) }
    let label = xName == "lr" ? "learning rate" : xName
    // Shade the range each finer round sampled along x.
    var bands: [ScatterPlot.Band] = []
    for r in rounds where r.number > 1 {
        switch r.space.dimension(xName)?.distribution {
        case .logUniform(let a, let b)?, .uniform(let a, let b)?:
            bands.append(.init(lower: a, upper: b, label: "round \(r.number) range", color: Palette.color(r.number - 1)))
        case .integer(let a, let b)?:
            bands.append(.init(lower: Double(a), upper: Double(b), label: "round \(r.number) range", color: Palette.color(r.number - 1)))
        default:
            break
        }
    }
    var plot = ScatterPlot(title: "Hyper-parameter search: dev accuracy against \(label)", xLabel: label + (logX ? " (log scale)" : ""),
                       yLabel: "dev accuracy", groups: groups, logX: logX, width: 860, height: 480)
    plot.bands = bands
    return plot
}
