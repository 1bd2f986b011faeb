import ArgumentParser
import Dispatch
import Foundation
import KilnAugmentation
import KilnData
import KilnEnsemble
import KilnExampleSupport
import KilnFiles
import KilnLayers
import KilnTensor
import KilnTraining

/// `bagging-ensemble`: trains N members of the `mnist-classifier` model on bootstrap
/// samples of the training set, in parallel, and reports each member, the soft or hard
/// vote, the out-of-bag accuracy and how often the members agree.
public struct BaggingEnsembleCommand: AsyncParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "bagging-ensemble",
        abstract: "Train a bagging ensemble of classifiers on MNIST-style data (Fashion-MNIST by default).",
        discussion: """
        Each member trains the --model (given several times, members cycle through the specs: \
        member k trains spec k mod count, e.g. MLPs and CNNs in one ensemble) on its own bootstrap sample (drawn with replacement, \
        --max-samples of the training set) from its own split of the --seed generator, \
        so the ensemble is the same whatever --jobs and --threads. Members train --jobs at a \
        time (default: the number of cores), sharing the --threads (default: the cores) \
        evenly: each member's trainer runs max(1, threads / jobs) workers, BLAS \
        single-threaded in each.

        No dev split is held out unless --dev-size asks for one: each member's out-of-bag \
        images (those its sample never drew) are held out from it already, the out-of-bag \
        vote estimates the ensemble's accuracy, and a member with --early-stopping (or a \
        plateau schedule) watches its own out-of-bag images.

        Examples:
          bagging-ensemble                                   # 5 members of the default MLP, 10 epochs
          bagging-ensemble --members 7 --voting hard --jobs 1
          bagging-ensemble --voting stacking                 # a softmax-regression combiner fitted out of bag
          bagging-ensemble --max-samples 0.5 --save bagged   # a directory: ensemble.json + member-NN.safetensors
          bagging-ensemble --load bagged                     # evaluate a saved ensemble
          bagging-ensemble --plot curves.svg                 # the members' mean train/dev curves
          mpirun -np 2 bagging-ensemble --distributed mpi    # members dealt out to 2 processes
          bagging-ensemble --member 3 --save bagged          # train member 3 (0-based) alone: one job-array task
        """)

    @OptionGroup var options: TrainingOptions

    @Option(help: "Number of ensemble members.")
    var members: Int = 5

    @Option(name: .customLong("max-samples"), help: ArgumentHelp("Each member's sample size as a fraction of the training set, in (0, 1].", valueName: "fraction"))
    var maxSamples: Double = 1.0

    @Flag(name: .customLong("no-bootstrap"), help: "Draw each member's sample without replacement (pasting; use with --max-samples below 1).")
    var noBootstrap = false

    @Option(help: ArgumentHelp("Voting: soft (mean probability) or hard (majority, ties broken by mean probability). Default: soft, or the saved rule with --load.", valueName: "soft|hard"))
    var voting: String?

    @Option(help: ArgumentHelp("Members trained at the same time (default: the number of cores).", valueName: "J"))
    var jobs: Int?

    @Option(help: ArgumentHelp("Save the ensemble to the directory DIR (written atomically).", valueName: "dir"))
    var save: String?

    @Option(help: ArgumentHelp("Load a saved ensemble from DIR and only evaluate it.", valueName: "dir"))
    var load: String?

    @Option(help: ArgumentHelp("Draw the members' mean train/dev loss and accuracy per epoch to FILE (SVG).", valueName: "file"))
    var plot: String?

    @Option(help: ArgumentHelp("Train only member K (0-based) of the --members ensemble and add it to the --save directory (a job-array task; the last one to finish writes ensemble.json).", valueName: "K"))
    var member: Int?

    public mutating func validate() throws {
        // Ensemble folders do not record input statistics, so --load could not apply them.
        if options.standardize { throw ValidationError("--standardize is not saved in ensemble folders; bagging-ensemble does not take it (mnist-classifier does)") }
        guard members >= 1 && members <= 1000 else { throw ValidationError("--members must be between 1 and 1000, got \(members)") }
        guard maxSamples > 0 && maxSamples <= 1 else { throw ValidationError("--max-samples must be in (0, 1], got \(maxSamples)") }
        if let voting, Voting(rawValue: voting) == nil && voting != "stacking" {
            throw ValidationError("--voting must be soft, hard or stacking, got '\(voting)'")
        }
        if voting == "stacking" && member != nil {
            throw ValidationError("--voting stacking fits a combiner on every member's out-of-bag predictions; a --member task has one member (use soft or hard)")
        }
        if let jobs, jobs < 1 || jobs > 1000 { throw ValidationError("--jobs must be between 1 and 1000, got \(jobs)") }
        if let load {
            if load.isEmpty { throw ValidationError("--load needs a directory name") }
            if save != nil { throw ValidationError("--load and --save cannot be combined") }
            if plot != nil { throw ValidationError("--plot needs training; it cannot be combined with --load") }
        }
        if let save, save.isEmpty { throw ValidationError("--save needs a directory name") }
        if let member {
            guard (0..<members).contains(member) else {
                throw ValidationError("--member must be between 0 and \(members - 1) (members are numbered from 0), got \(member)")
            }
            guard save != nil else { throw ValidationError("--member needs --save DIR (the ensemble folder the member joins)") }
            if load != nil { throw ValidationError("--member and --load cannot be combined") }
            if options.distributed != .none { throw ValidationError("--member and --distributed cannot be combined (one is a scheduler's task, the other an MPI launch)") }
            if plot != nil { throw ValidationError("--plot needs the whole ensemble; it cannot be combined with --member") }
        }
    }

    /// Runs the command with the error contract (see `CommandMain`).
    public static func main() { CommandMain.startAsync(BaggingEnsembleCommand.self) }

    public func run() async throws {
        let world = try options.distributed.communicator()
        // Rank 0 alone prints, saves and plots.
        let isRoot = world.rank == 0
        let log: (String) -> Void
        if !isRoot { log = { _ in } } else if options.json { log = printError } else { log = { print($0) } }
        if let load { return try evaluateSaved(load, log: log) }
        var options = self.options
        // Bagging keeps no dev split unless asked (--dev-size N): every member's out-of-bag
        // images are held out from it already, and the out-of-bag vote estimates the
        // ensemble's accuracy, so the 5,000 images a dev split would take go to the samples.
        if options.devSize == nil { options.devSize = 0 }
        // Stacking fits its combiner after the members; they are trained (and scored out of bag) with soft voting.
        let stacking = self.voting == "stacking"
        let voting = Voting(rawValue: self.voting ?? "soft") ?? .soft
        if let save, member == nil, isRoot {
            do { try Ensemble.checkDestination(save) } catch { throw ExampleError("--save: \(error)") }
        }
        if isRoot {
            try checkOutputFile(plot, flag: "--plot")
            try checkOutputFile(options.history, flag: "--history")
        }

        let data = try ClassificationData.load(options)
        log("data: \(data.summary)")
        var rng = RandomGenerator(seed: options.seed)
        // Every spec must fit the data (members cycle through them: member k has spec k mod count).
        let specs = options.modelSpecs
        let probes = try specs.map { try data.buildModel($0, rng: &rng) }
        let probe = probes[0]
        let bagging = try Bagging(members: members, maxSamples: maxSamples, bootstrap: !noBootstrap, seed: options.seed)
        let parallelism = try Parallelism(members: members, jobs: jobs, threads: options.threads)
        let sampleSize = bagging.sampleSize(population: data.train.count)
        for (k, model) in probes.enumerated() {
            log((probes.count > 1 ? "model \(k + 1) (members \(k + 1), \(k + 1 + probes.count), ...): " : "model: ")
                + "\(model) -> \(model.outputShape), \(model.parameters.reduce(0) { $0 + $1.value.count }) parameters per member")
        }
        _ = probe
        log("bagging: \(members) member\(members == 1 ? "" : "s") of \(sampleSize) images drawn \(noBootstrap ? "without" : "with") replacement, \(stacking ? "stacking" : "\(voting) voting"); "
            + (member.map { "this task trains member \($0) (0-based) alone, \(options.threads) thread\(options.threads == 1 ? "" : "s")" }
               ?? "\(parallelism.jobs) at a time, \(parallelism.threadsPerMember) thread\(parallelism.threadsPerMember == 1 ? "" : "s") each")
            + " (\(parallelism.cores) cores)"
            + (world.size > 1 ? "; \(world.size) MPI ranks, member k on rank k mod \(world.size)" : ""))

        let shared = SharedTrainingOptions(value: options)
        let printer = LinePrinter()
        let epochs = options.epochs
        let json = options.json
        let train = data.train, dev = data.dev
        let sharedDev = dev != nil
        let makeMember: @Sendable (MemberContext) throws -> MemberSetup = { member in
            let options = shared.value
            var rng = RandomGenerator(seed: member.seed)
            let specs = options.modelSpecs
            let model = try Sequential.build(spec: specs[member.index % specs.count], inputShape: member.train.inputShape, rng: &rng)
            let trainer = try makeTrainer(model: model, options: options)
            trainer.seed = member.seed   // makeTrainer sets the evaluation batch (250 images for image models)
            var fitted: any Dataset = member.train
            if let spec = options.augment {
                let augmented = try AugmentedDataset(base: member.train, pipeline: TransformPipeline(spec), seed: member.seed)
                fitted = augmented
            }
            let index = member.index
            trainer.callbacks.append(EpochObserver { record in
                if json {
                    printer.print("{\"member\": \(index + 1), " + record.json.dropFirst())
                } else {
                    printer.print("member \(index + 1) " + ProgressBar.summary(record, epochs: epochs))
                }
            })
            // Without a shared dev split, a member that watches a dev metric (early stopping,
            // a plateau schedule) watches its own out-of-bag images: held out from it alone.
            let watchesDev = trainer.earlyStopping != nil || trainer.schedule?.observesMetric == true
            let ownDev: (any Dataset)? = !sharedDev && watchesDev && member.outOfBag.count > 0 ? member.outOfBag : nil
            return MemberSetup(trainer: trainer, train: fitted, dev: ownDev)
        }
        if let member, let save {
            return try trainArrayMember(member, bagging: bagging, voting: voting, train: train, dev: dev, save: save,
                                        threads: options.threads, log: log, makeMember: makeMember)
        }
        let ensemble = try await bagging.fit(train: train, dev: dev, epochs: epochs, parallelism: parallelism, voting: voting,
                                             communicator: world, makeMember: makeMember)
        // The other ranks are done: rank 0 reports and saves.
        guard isRoot else { return }
        let training = ensemble.training!
        // Stacking: the combiner, and the three rules side by side on the test set.
        var ruleAccuracies: [(String, Double)] = []
        if stacking {
            do { try ensemble.fitCombiner(seed: options.seed) } catch { throw ExampleError("--voting stacking: \(error)") }
            let combiner = ensemble.combiner
            for rule in [Voting.soft, .hard] {
                ensemble.combiner = nil
                ensemble.voting = rule
                ruleAccuracies.append((rule.rawValue, ensemble.report(on: data.test, batchSize: options.evaluationBatchSize).accuracy))
            }
            ensemble.voting = .soft
            ensemble.combiner = combiner
        }

        let tta = options.testTimeAugmentation
        ensemble.testTimeAugmentation = tta
        let report = ensemble.report(on: data.test, batchSize: options.evaluationBatchSize)
        var oneView: EnsembleReport?
        if tta != .none {
            ensemble.testTimeAugmentation = .none
            oneView = ensemble.report(on: data.test, batchSize: options.evaluationBatchSize)
            ensemble.testTimeAugmentation = tta
        }
        let oob = ensemble.outOfBag!
        log("")
        // A member's dev accuracy is on the shared dev split; its out-of-bag accuracy on the
        // training images its sample left out (the same model at the end of training).
        let memberOutOfBag = training.memberOutOfBagAccuracies
        log("member  sample  unique   oob acc   dev acc  test acc  seconds")
        for (i, record) in training.members.enumerated() {
            let devAccuracy = dev != nil ? record.history.last?.devAccuracy.map { formatFixed($0, 4) } ?? "-" : "-"
            let outOfBagAccuracy = memberOutOfBag[i].isNaN ? "-" : formatFixed(memberOutOfBag[i], 4)
            log(pad("\(i + 1)", 6) + pad("\(record.sampleSize)", 8) + pad(formatFixed(100 * Double(record.uniqueSamples) / Double(data.train.count), 1) + "%", 8)
                + pad(outOfBagAccuracy, 10) + pad(devAccuracy, 10) + pad(formatFixed(report.memberAccuracies[i], 4), 10) + pad(formatFixed(record.seconds, 1), 9))
        }
        log("mean member test accuracy \(formatFixed(report.meanMemberAccuracy, 4)), best \(formatFixed(report.bestMemberAccuracy, 4))")
        // Mixed members: each kind's members alone, voting by the same rule.
        var kindAccuracies: [Double] = []
        if specs.count > 1 {
            for k in 0..<specs.count {
                let mine = Array(stride(from: k, to: ensemble.members.count, by: specs.count))
                guard !mine.isEmpty else { continue }
                let alone = try Ensemble(members: mine.map { ensemble.members[$0] }, inputShape: ensemble.inputShape,
                                         classNames: ensemble.classNames, voting: voting)
                alone.threads = options.threads
                kindAccuracies.append(alone.report(on: data.test, batchSize: options.evaluationBatchSize).accuracy)
                log("model \(k + 1)'s \(mine.count) member\(mine.count == 1 ? "" : "s") alone (\(voting) voting): test accuracy \(formatFixed(kindAccuracies.last!, 4))")
            }
        }
        if !ruleAccuracies.isEmpty {
            log("combining rules on the test set: " + (ruleAccuracies + [("stacking", report.accuracy)])
                .map { "\($0.0) \(formatFixed($0.1, 4))" }.joined(separator: ", ")
                + " (the combiner was fitted on the members' out-of-bag probabilities)")
        }
        log("ensemble (\(stacking ? "stacking" : "\(voting) voting")) test accuracy \(formatFixed(report.accuracy, 4)), test loss \(formatFixed(report.evaluation.loss, 4)) (\(formatSigned(100 * report.gainOverBestMember)) points over the best member)")
        if let oneView {
            log("  with --tta \(tta); one view alone: ensemble test accuracy \(formatFixed(oneView.accuracy, 4)), mean member \(formatFixed(oneView.meanMemberAccuracy, 4))")
        }
        if oob.counted > 0 {
            log("out-of-bag accuracy \(formatFixed(oob.accuracy, 4)) on \(oob.counted) of \(oob.population) training images (those at least one member left out)")
        } else {
            log("out-of-bag accuracy: none (every member saw every training image; with --no-bootstrap use --max-samples below 1)")
        }
        log("members agree on \(formatFixed(100 * report.agreement, 1))% of (pair, image) cases; all \(members) agree on \(formatFixed(100 * report.unanimity, 1))% of test images")
        log("training: \(formatFixed(training.seconds, 1)) s wall time, \(formatFixed(training.members.reduce(0) { $0 + $1.seconds }, 1)) s summed over members")
        log(report.evaluation.confusion.rendered())

        // The diagnosis compares the vote's train error with its error on held-out images: the
        // dev split when there is one, else the out-of-bag images (each voted on by the
        // members that left it out).
        var diagnosis: Diagnosis?
        let heldOutAccuracy = data.dev.map { ensemble.evaluate($0, batchSize: options.evaluationBatchSize).accuracy }
            ?? (oob.counted > 0 ? oob.accuracy : nil)
        if let heldOutAccuracy {
            let d = Diagnosis(trainAccuracy: ensemble.evaluate(data.trainSubsetForDiagnosis, batchSize: options.evaluationBatchSize).accuracy,
                              devAccuracy: heldOutAccuracy, targetError: options.targetError)
            diagnosis = d
            if data.dev == nil { log("(no dev split: the out-of-bag accuracy stands in for the dev accuracy)") }
            log(d.description)
        }
        if let save {
            do { try ensemble.save(to: save) } catch { throw ExampleError("--save: \(error)") }
            log("saved the ensemble to \(save)/")
        }
        if let history = options.history { try writeHistory(training, to: history) }
        if let plot { try TrainingPlot.write(history: training.meanHistory, bestEpoch: nil, to: plot) }
        if options.json {
            var fields: [(String, String)] = [
                ("members", "[" + report.memberAccuracies.map(jsonNumber).joined(separator: ", ") + "]"),
                ("member_oob_accuracies", "[" + memberOutOfBag.map(jsonNumber).joined(separator: ", ") + "]"),
                ("member_models", "[" + ensemble.members.map { jsonString($0.description) }.joined(separator: ", ") + "]"),
                ("mean_member_accuracy", jsonNumber(report.meanMemberAccuracy)),
                ("best_member_accuracy", jsonNumber(report.bestMemberAccuracy)),
                ("ensemble_accuracy", jsonNumber(report.accuracy)),
                ("test_accuracy", jsonNumber(report.accuracy)),
                ("test_loss", jsonNumber(report.evaluation.loss)),
                ("tta", "\"\(tta)\""),
                ("oob_accuracy", jsonNumber(oob.accuracy)),
                ("oob_counted", "\(oob.counted)"),
                ("agreement", jsonNumber(report.agreement)),
                ("unanimity", jsonNumber(report.unanimity)),
                ("voting", "\"\(ensemble.rule)\""),
                ("jobs", "\(parallelism.jobs)"),
                ("threads_per_member", "\(parallelism.threadsPerMember)"),
                ("blas_threads", "1"),
                ("epochs_run", "[" + training.members.map { "\($0.history.count)" }.joined(separator: ", ") + "]"),
                ("train_seconds", jsonNumber(training.seconds)),
                ("member_seconds", "[" + training.members.map { jsonNumber($0.seconds) }.joined(separator: ", ") + "]"),
            ]
            for (rule, accuracy) in ruleAccuracies { fields.append(("\(rule)_accuracy", jsonNumber(accuracy))) }
            if !kindAccuracies.isEmpty { fields.append(("model_accuracies", "[" + kindAccuracies.map(jsonNumber).joined(separator: ", ") + "]")) }
            if stacking { fields.append(("stacking_accuracy", jsonNumber(report.accuracy))) }
            if let oneView {
                fields.append(("test_accuracy_one_view", jsonNumber(oneView.accuracy)))
                fields.append(("members_one_view", "[" + oneView.memberAccuracies.map(jsonNumber).joined(separator: ", ") + "]"))
            }
            if let diagnosis {
                fields += [("train_error", jsonNumber(diagnosis.trainError)), ("dev_error", jsonNumber(diagnosis.devError))]
            }
            print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
        }
    }

    /// `--member K --save DIR`: one job-array task. Trains member K exactly as the whole
    /// run would (its sample and seed depend only on --seed and K) and adds it to DIR.
    func trainArrayMember(_ member: Int, bagging: Bagging, voting: Voting, train: TensorDataset, dev: (any Dataset)?, save: String,
                          threads: Int, log: (String) -> Void,
                          makeMember: @escaping @Sendable (MemberContext) throws -> MemberSetup) throws {
        let part = try bagging.fitMember(member, train: train, dev: dev, epochs: options.epochs, threads: threads, makeMember: makeMember)
        let progress: Ensemble.ArrayProgress
        do {
            progress = try Ensemble.addMember(part, to: save, bagging: bagging, voting: voting, weights: nil,
                                              inputShape: train.inputShape, classNames: train.classNames, labels: train.labels)
        } catch {
            throw ExampleError("--save: \(error)")
        }
        let outOfBag = OutOfBag.accuracy(of: part.outOfBagProbabilities, at: bagging.plans(population: train.count)[member].sample.outOfBag,
                                         labels: train.labels)
        let scores = ((dev != nil ? part.record.history.last?.devAccuracy.map { ", dev accuracy \(formatFixed($0, 4))" } : nil) ?? "")
            + (outOfBag.isNaN ? "" : ", out-of-bag accuracy \(formatFixed(outOfBag, 4))")
        log("member \(member) (of 0...\(members - 1)) saved to \(save)/\(MemberPart.modelFileName(index: member, members: members))\(scores), \(formatFixed(part.record.seconds, 1)) s")
        if progress.isComplete {
            log("all \(members) members are in \(save)/: wrote \(Ensemble.manifestName); evaluate with --load \(save)")
        } else {
            log("\(progress.present.count) of \(members) members are in \(save)/; still missing --member \(progress.missing.map(String.init).joined(separator: ", "))")
        }
        if options.json {
            print("{\"member\": \(member), \"present\": \(progress.present.count), \"members\": \(members), \"complete\": \(progress.isComplete), "
                + "\"train_seconds\": \(jsonNumber(part.record.seconds))}")
        }
    }

    /// `--load`: rebuild every member from the manifest, evaluate the vote on the test set.
    func evaluateSaved(_ path: String, log: (String) -> Void) throws {
        let ensemble: Ensemble
        do { ensemble = try Ensemble.load(from: path) } catch { throw ExampleError("--load: \(error)") }
        let savedVoting = ensemble.voting
        let savedRule = ensemble.rule
        if let voting {
            if voting == "stacking" {
                guard ensemble.combiner != nil else {
                    throw ExampleError("--voting stacking: \(path) has no combiner (it was saved with \(savedRule) voting; train with --voting stacking)")
                }
            } else {
                ensemble.combiner = nil
                ensemble.voting = Voting(rawValue: voting)!
            }
        }
        // The saved out-of-bag score was computed with the saved rule; the members' out-of-bag
        // predictions are not saved, so another rule has no out-of-bag score.
        let outOfBag = ensemble.voting == savedVoting ? ensemble.outOfBag : nil
        ensemble.threads = options.threads
        try options.checkTestTimeAugmentation(inputShape: ensemble.inputShape)
        ensemble.testTimeAugmentation = options.testTimeAugmentation
        let data = try ClassificationData.load(options, inputShape: ensemble.inputShape, testOnly: true)
        guard data.classNames.count == ensemble.classNames.count else {
            throw ExampleError("--load: the ensemble has \(ensemble.classNames.count) classes, the data \(data.classNames.count)")
        }
        let report = ensemble.report(on: data.test, batchSize: ensemble.inputShape.count == 3 ? 250 : 1000)
        log("ensemble: \(ensemble.members.count) members, \(ensemble.rule == "stacking" ? "stacking" : "\(ensemble.voting) voting")"
            + (savedRule != ensemble.rule ? " (saved with \(savedRule))" : ""))
        for (i, accuracy) in report.memberAccuracies.enumerated() { log("member \(i + 1) test accuracy \(formatFixed(accuracy, 4))") }
        log("ensemble test accuracy \(formatFixed(report.accuracy, 4)), test loss \(formatFixed(report.evaluation.loss, 4)) (\(data.test.count) images"
            + (ensemble.testTimeAugmentation == .none ? ")" : ", --tta \(ensemble.testTimeAugmentation))"))
        if let oob = ensemble.outOfBag {
            log("out-of-bag accuracy when trained (\(savedVoting) voting) \(formatFixed(oob.accuracy, 4))"
                + (outOfBag == nil ? "; none for \(ensemble.voting) voting (the out-of-bag predictions are not saved)" : ""))
        }
        log("members agree on \(formatFixed(100 * report.agreement, 1))% of (pair, image) cases")
        log(report.evaluation.confusion.rendered())
        if options.json {
            print("{\"members\": [" + report.memberAccuracies.map(jsonNumber).joined(separator: ", ") + "], "
                + "\"mean_member_accuracy\": \(jsonNumber(report.meanMemberAccuracy)), "
                + "\"ensemble_accuracy\": \(jsonNumber(report.accuracy)), \"test_accuracy\": \(jsonNumber(report.accuracy)), "
                + "\"oob_accuracy\": \(jsonNumber(outOfBag?.accuracy ?? .nan)), \"voting\": \"\(ensemble.rule)\", "
                + "\"agreement\": \(jsonNumber(report.agreement)), \"train_seconds\": 0}")
        }
    }

    /// `--history FILE`: every member's epochs, CSV with a leading member column (`.csv`)
    /// or JSON lines with a `member` key.
    func writeHistory(_ training: EnsembleTraining, to path: String) throws {
        var lines: [String] = []
        if path.hasSuffix(".csv") {
            lines.append("member," + EpochRecord.csvHeader)
            for m in training.members { lines += m.history.map { "\(m.index + 1)," + $0.csvRow } }
        } else {
            for m in training.members { lines += m.history.map { "{\"member\": \(m.index + 1), " + $0.json.dropFirst() } }
        }
        try AtomicFile.write(lines.joined(separator: "\n") + "\n", to: path)
    }
}

/// Prints whole lines from several member tasks without interleaving them.
final class LinePrinter: Sendable {
    private let lock = NSLock()
    func print(_ line: String) {
        lock.withLock {
            Swift.print(line)
            fflush(nil)
        }
    }
}
