import ArgumentParser
import Foundation
import KilnAugmentation
import KilnData
import KilnEnsemble
import KilnExampleSupport
import KilnFiles
import KilnLayers
import KilnPlot
import KilnTensor
import KilnTraining

/// `boosting-ensemble`: multi-class AdaBoost (SAMME) with neural members, one after
/// another, each trained on a weighted resample of the training set that favours the
/// previous members' mistakes; the ensemble votes with the members' α weights.
public struct BoostingEnsembleCommand: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "boosting-ensemble",
        abstract: "Train a boosted ensemble (SAMME) of classifiers on MNIST-style data (Fashion-MNIST by default).",
        discussion: """
        Member m trains the --model on n examples drawn with replacement with probability \
        proportional to their weights (all equal for the first member). Its weighted training \
        error err gives it the vote weight alpha = log((1 - err)/err) + log(K - 1), and the \
        weights of the examples it got wrong are multiplied by e^alpha (alpha times --shrinkage). Boosting stops early \
        when a member is no better than chance (err >= 1 - 1/K). The ensemble predicts the \
        class with the largest sum of alpha over the members that vote for it. Members train \
        one after another (each depends on the last), each on every --threads.

        Examples:
          boosting-ensemble --members 5 --model "dense(64)|relu|dense(10)" --epochs 3
          boosting-ensemble --save boosted                  # ensemble.json + member-NN.safetensors
          boosting-ensemble --load boosted                  # evaluate a saved ensemble
          boosting-ensemble --plot boosting.svg             # train and test error per member count, bagging beside
        """)

    @OptionGroup var options: TrainingOptions

    @Option(help: "Most members to train (boosting stops earlier when a member is no better than chance).")
    var members: Int = 5

    @Option(help: ArgumentHelp("Shrinkage nu in (0, 1]: every alpha is multiplied by it (1: SAMME as published; the default 0.5 keeps the resamples closer to the data, which neural members need: see the Ensemble README).", valueName: "nu"))
    var shrinkage: Double = 0.5

    @Option(help: ArgumentHelp("Save the ensemble to the directory DIR (written atomically).", valueName: "dir"))
    var save: String?

    @Option(help: ArgumentHelp("Load a saved ensemble from DIR and only evaluate it.", valueName: "dir"))
    var load: String?

    @Option(help: ArgumentHelp("Draw train and test error against the number of members to FILE (SVG), boosting beside a bagging ensemble of the same members (trained for the plot).", valueName: "file"))
    var plot: String?

    public mutating func validate() throws {
        // Ensemble folders do not record input statistics, so --load could not apply them.
        if options.standardize { throw ValidationError("--standardize is not saved in ensemble folders; boosting-ensemble does not take it (mnist-classifier does)") }
        try options.requireOneModel("boosting-ensemble")
        guard members >= 1 && members <= 1000 else { throw ValidationError("--members must be between 1 and 1000, got \(members)") }
        guard shrinkage > 0 && shrinkage <= 1 else { throw ValidationError("--shrinkage must be in (0, 1], got \(shrinkage)") }
        if let load {
            if load.isEmpty { throw ValidationError("--load needs a directory name") }
            if save != nil { throw ValidationError("--load and --save cannot be combined") }
            if plot != nil { throw ValidationError("--plot needs training; it cannot be combined with --load") }
        }
        if let save, save.isEmpty { throw ValidationError("--save needs a directory name") }
        if options.distributed != .none { throw ValidationError("--distributed: boosting's members depend on each other; each trains on every --threads of one process") }
    }

    /// Runs the command with the error contract (see `CommandMain`).
    public static func main() { CommandMain.startAsync(BoostingEnsembleCommand.self) }

    public func run() async throws {
        let log: (String) -> Void
        if options.json { log = printError } else { log = { print($0) } }
        if let load { return try evaluateSaved(load, log: log) }
        let options = self.options
        if let save {
            do { try Ensemble.checkDestination(save) } catch { throw ExampleError("--save: \(error)") }
        }
        try checkOutputFile(plot, flag: "--plot")
        try checkOutputFile(options.history, flag: "--history")

        let data = try ClassificationData.load(options)
        log("data: \(data.summary)")
        var rng = RandomGenerator(seed: options.seed)
        let probe = try data.buildModel(options.model, rng: &rng)
        log("model: \(probe) -> \(probe.outputShape), \(probe.parameters.reduce(0) { $0 + $1.value.count }) parameters per member")
        log("boosting (SAMME): up to \(members) member\(members == 1 ? "" : "s") trained one after another on weighted resamples of \(data.train.count) images, shrinkage \(shrinkage), \(options.threads) thread\(options.threads == 1 ? "" : "s") each")

        let boosting = try Boosting(members: members, seed: options.seed, shrinkage: shrinkage)
        let makeMember = memberFactory(options)
        let json = options.json
        let ensemble = try boosting.fit(train: data.train, dev: data.dev, epochs: options.epochs, threads: options.threads,
                                        makeMember: makeMember) { round in
            let line = "member \(round.index + 1): weighted training error \(formatFixed(round.weightedError, 4)), alpha \(formatFixed(round.alpha, 3)), "
                + "train accuracy \(formatFixed(round.trainAccuracy, 4)), \(formatFixed(round.seconds, 1)) s"
            if json { printError(line) } else { print(line) }
            fflush(nil)
        }
        let summary = ensemble.boosting!
        // The members' alphas come from their one-view training errors; --tta applies to the test report.
        ensemble.testTimeAugmentation = options.testTimeAugmentation
        let report = ensemble.report(on: data.test, batchSize: options.evaluationBatchSize)
        log("")
        log("member  weighted err   alpha  train acc  test acc  seconds")
        for (i, round) in summary.rounds.enumerated() {
            log(pad("\(i + 1)", 6) + pad(formatFixed(round.weightedError, 4), 14) + pad(formatFixed(round.alpha, 3), 8)
                + pad(formatFixed(round.trainAccuracy, 4), 11) + pad(formatFixed(report.memberAccuracies[i], 4), 10) + pad(formatFixed(round.seconds, 1), 9))
        }
        if let stop = summary.stop { log("boosting stopped early: \(stop)") }
        log("mean member test accuracy \(formatFixed(report.meanMemberAccuracy, 4)), best \(formatFixed(report.bestMemberAccuracy, 4))")
        log("ensemble (alpha-weighted vote) test accuracy \(formatFixed(report.accuracy, 4)), test loss \(formatFixed(report.evaluation.loss, 4)) "
            + "(\(formatSigned(100 * report.gainOverBestMember)) points over the best member)")
        log(report.evaluation.confusion.rendered())
        if let save {
            do { try ensemble.save(to: save) } catch { throw ExampleError("--save: \(error)") }
            log("saved the ensemble to \(save)/")
        }
        if let history = options.history {
            let lines = summary.rounds.flatMap { r in r.history.map { "{\"member\": \(r.index + 1), " + $0.json.dropFirst() } }
            try AtomicFile.write(lines.joined(separator: "\n") + "\n", to: history)
        }
        if let plot {
            log("plot: training a bagging ensemble of \(summary.rounds.count) members of the same model to draw beside")
            let bagging = try Bagging(members: summary.rounds.count, seed: options.seed)
            let bagged = try await bagging.fit(train: data.train, dev: data.dev, epochs: options.epochs,
                                               parallelism: try Parallelism(members: summary.rounds.count, jobs: 1, threads: options.threads),
                                               makeMember: makeMember)
            try drawCurves(boosted: ensemble, bagged: bagged, data: data, to: plot)
            log("wrote \(plot)")
        }
        if options.json {
            let fields: [(String, String)] = [
                ("members", "[" + report.memberAccuracies.map(jsonNumber).joined(separator: ", ") + "]"),
                ("member_weights", "[" + summary.rounds.map { jsonNumber($0.alpha) }.joined(separator: ", ") + "]"),
                ("member_errors", "[" + summary.rounds.map { jsonNumber($0.weightedError) }.joined(separator: ", ") + "]"),
                ("mean_member_accuracy", jsonNumber(report.meanMemberAccuracy)),
                ("best_member_accuracy", jsonNumber(report.bestMemberAccuracy)),
                ("ensemble_accuracy", jsonNumber(report.accuracy)), ("test_accuracy", jsonNumber(report.accuracy)),
                ("test_loss", jsonNumber(report.evaluation.loss)),
                ("stopped_early", summary.stop == nil ? "false" : "true"),
                ("train_seconds", jsonNumber(summary.rounds.reduce(0) { $0 + $1.seconds })),
            ]
            print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
        }
    }

    /// Each member's model and trainer from the shared flags (augmentation included).
    func memberFactory(_ options: TrainingOptions) -> @Sendable (MemberContext) throws -> MemberSetup {
        let shared = SharedTrainingOptions(value: options)
        return { member in
            let options = shared.value
            var rng = RandomGenerator(seed: member.seed)
            let model = try Sequential.build(spec: options.model, inputShape: member.train.inputShape, rng: &rng)
            let trainer = try makeTrainer(model: model, options: options)
            trainer.seed = member.seed
            var fitted: any Dataset = member.train
            if let spec = options.augment {
                fitted = try AugmentedDataset(base: member.train, pipeline: TransformPipeline(spec), seed: member.seed)
            }
            return MemberSetup(trainer: trainer, train: fitted)
        }
    }

    /// Train and test error of the first m members' vote, m = 1 … M, boosting beside bagging.
    func drawCurves(boosted: Ensemble, bagged: Ensemble, data: ClassificationData, to path: String) throws {
        let batch = options.evaluationBatchSize
        func errors(_ e: Ensemble, _ d: any Dataset) -> [Point] {
            e.stagedAccuracies(on: d, batchSize: batch).enumerated().map { Point(x: Double($0.offset + 1), y: 1 - $0.element) }
        }
        let chart = LineChart(
            title: "Boosting (SAMME) and bagging: error against the number of members",
            xLabel: "members", yLabel: "error",
            series: [
                .init(name: "boosting, train", points: errors(boosted, data.train), marker: .circle),
                .init(name: "boosting, test", points: errors(boosted, data.test), marker: .circle, dash: "6,3"),
                .init(name: "bagging, train", points: errors(bagged, data.train), marker: .square),
                .init(name: "bagging, test", points: errors(bagged, data.test), marker: .square, dash: "6,3"),
            ],
            width: 860, height: 480)
        try writeAtomically(chart.svg(), to: path)
    }

    /// `--load`: any saved ensemble (a boosted one votes with its alpha).
    func evaluateSaved(_ path: String, log: (String) -> Void) throws {
        let ensemble: Ensemble
        do { ensemble = try Ensemble.load(from: path) } catch { throw ExampleError("--load: \(error)") }
        ensemble.threads = options.threads
        try options.checkTestTimeAugmentation(inputShape: ensemble.inputShape)
        ensemble.testTimeAugmentation = options.testTimeAugmentation
        let data = try ClassificationData.load(options, inputShape: ensemble.inputShape, testOnly: true)
        guard data.classNames.count == ensemble.classNames.count else {
            throw ExampleError("--load: the ensemble has \(ensemble.classNames.count) classes, the data \(data.classNames.count)")
        }
        let report = ensemble.report(on: data.test, batchSize: ensemble.inputShape.count == 3 ? 250 : 1000)
        log("ensemble: \(ensemble.members.count) members, \(ensemble.boosting == nil ? "\(ensemble.voting) voting" : "boosted (alpha-weighted vote)")")
        for (i, accuracy) in report.memberAccuracies.enumerated() {
            log("member \(i + 1) test accuracy \(formatFixed(accuracy, 4))" + (ensemble.weights.map { ", weight \(formatFixed($0[i], 3))" } ?? ""))
        }
        log("ensemble test accuracy \(formatFixed(report.accuracy, 4)), test loss \(formatFixed(report.evaluation.loss, 4)) (\(data.test.count) images)")
        if options.json {
            print("{\"members\": [" + report.memberAccuracies.map(jsonNumber).joined(separator: ", ") + "], "
                + "\"member_weights\": [" + (ensemble.weights ?? []).map(jsonNumber).joined(separator: ", ") + "], "
                + "\"ensemble_accuracy\": \(jsonNumber(report.accuracy)), \"test_accuracy\": \(jsonNumber(report.accuracy)), \"train_seconds\": 0}")
        }
    }
}

