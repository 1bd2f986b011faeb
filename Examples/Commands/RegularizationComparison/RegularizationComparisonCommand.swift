import ArgumentParser
import Foundation
import KilnExampleSupport
import KilnLayers
import KilnOptimizers
import KilnRegistry
import KilnTensor
import KilnTraining

/// `regularization-comparison`: the course notes' L1-vs-L2 table. The same network, from
/// the same initial weights and batch order, trained four times on Fashion-MNIST: without
/// a regularizer, with L2, with L1, and with dropout. It prints train and test accuracy,
/// how many weights are below 1e-2 and 1e-5, and each layer's L1 and L2 norms, and draws
/// the weight distributions.
public struct RegularizationComparisonCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "regularization-comparison",
        abstract: "No regularizer vs L2 vs L1 vs dropout on the same network: accuracy, small-weight counts, per-layer norms.",
        discussion: """
            What to look for: L1 leaves the most weights near zero and small L1 norms
            (it selects inputs); L2 shrinks every weight and gives the smallest L2
            norms; both, and dropout, narrow the train-test gap.
            lambda is per step, added to the mean batch gradient
            (l2: lambda*w, l1: lambda*sign(w)).

            Examples:
              regularization-comparison --svg regularization-comparison.svg
              regularization-comparison --limit 60000 --epochs 10 --l1 5e-5
            """)

    @Option(help: ArgumentHelp("Data: fashion-mnist (Debian's IDX files), idx:DIR, png:DIR.", valueName: "source"))
    var data = "fashion-mnist"

    @Option(help: "Use only the first N training images (a small training set over-fits, which regularization fights).")
    var limit = 10_000

    @Option(help: "Epochs per arm.")
    var epochs = 40

    @Option(name: .customLong("batch-size"), help: "Mini-batch size.")
    var batchSize = 64

    @Option(help: ArgumentHelp("Model spec shared by all arms (dropout is inserted after each hidden activation).", valueName: "spec"))
    var model = "dense(128)|relu|dense(64)|relu|dense(10)"

    @Option(help: ArgumentHelp("Optimizer spec (plain SGD, as in the notes: with Adam, L1's constant pull is rescaled per weight).", valueName: "spec"))
    var optimizer = "sgd(lr=0.1)"

    @Option(help: ArgumentHelp("Learning-rate schedule spec (default: cosine decay over the epochs, so the last epochs settle; \"constant\" for none).", valueName: "spec"))
    var schedule: String?

    @Option(help: "L2 strength lambda.")
    var l2 = 1e-3

    @Option(help: "L1 strength lambda.")
    var l1 = 5e-5

    @Option(help: "Dropout rate of the dropout arm.")
    var dropout = 0.2

    @Option(help: ArgumentHelp("Write the weight histograms (one row per arm) to FILE.", valueName: "file"))
    var svg: String?

    @Option(help: "Histogram bins per panel.")
    var bins = 40

    @Option(help: "Random seed (weights, shuffling, dropout).")
    var seed: UInt64 = 1

    public static func main() { CommandMain.run(RegularizationComparisonCommand.self) }

    public mutating func validate() throws {
        _ = try DataSource(parsing: data)
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1, got \(limit)") }
        guard (1...1000).contains(epochs) else { throw ValidationError("--epochs must be between 1 and 1000, got \(epochs)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        guard l2 >= 0 && l2.isFinite else { throw ValidationError("--l2 must be a finite number >= 0, got \(l2)") }
        guard l1 >= 0 && l1.isFinite else { throw ValidationError("--l1 must be a finite number >= 0, got \(l1)") }
        guard dropout >= 0 && dropout < 1 else { throw ValidationError("--dropout must be in [0, 1), got \(dropout)") }
        guard (1...500).contains(bins) else { throw ValidationError("--bins must be between 1 and 500, got \(bins)") }
        if let svg, svg.isEmpty { throw ValidationError("--svg needs a file name") }
        do { _ = try Spec.parsePipeline(model).map { try layers.make($0) } } catch { throw usageError("--model", error) }
        do { _ = try optimizers.make(optimizer) } catch { throw usageError("--optimizer", error) }
        do { _ = try schedules.make(scheduleSpec) } catch { throw usageError("--schedule", error) }
        do { _ = try variants(model: model, l2: l2, l1: l1, dropout: dropout) } catch { throw usageError("--model", error) }
    }

    var scheduleSpec: String { schedule ?? "cosine(total=\(epochs))" }

    public func run() throws {
        BLAS.threadCount = 1
        try checkOutputFile(svg, flag: "--svg")
        let options = try TrainingOptions.parse(["--data", data, "--model", model, "--limit", "\(limit)", "--dev-size", "0", "--seed", "\(seed)"])
        let loaded = try ClassificationData.load(options)
        let arms = try variants(model: model, l2: l2, l1: l1, dropout: dropout)
        print("data: \(loaded.train.count) train, \(loaded.test.count) test images; model \(model); \(optimizer), \(scheduleSpec), batch \(batchSize), \(epochs) epoch\(epochs == 1 ? "" : "s"), seed \(seed)")
        let setup = TrainingSetup(optimizer: optimizer, schedule: scheduleSpec, epochs: epochs, batchSize: batchSize, seed: seed)
        let results = try arms.map { try runVariant($0, train: loaded.train, test: loaded.test, setup: setup, log: { print($0) }) }
        print("")
        print(renderTable(results))
        if let svg {
            let title = "Weights after \(epochs) epochs on \(loaded.train.count) images: none vs L2 vs L1 vs dropout"
            try drawFigure(results, bins: bins, title: title).write(to: svg)
            print("wrote \(svg)")
        }
    }
}
