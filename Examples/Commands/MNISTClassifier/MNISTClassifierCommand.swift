import ArgumentParser
import Foundation
import KilnData
import KilnExampleSupport
import KilnLayers
import KilnTensor
import KilnTraining

/// `mnist-classifier`: the main job. Trains a softmax classifier (an MLP or CNN spec) on
/// MNIST-style data, evaluates it on the test set, prints the confusion matrix and the
/// bias/variance diagnosis, and optionally saves the model or full checkpoints.
public struct MNISTClassifierCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "mnist-classifier",
        abstract: "Train a softmax classifier on MNIST-style data (Fashion-MNIST by default).",
        discussion: """
        Examples:
          mnist-classifier                                  # the default MLP, 10 epochs
          mnist-classifier --model "conv(32, kernel=3, padding=1)|batchnorm|relu|maxpool(2)|flatten|dense(10)"
          mnist-classifier --early-stopping "patience=3" --save model.safetensors
          mnist-classifier --load model.safetensors         # evaluate a saved model
          mnist-classifier --checkpoint run.ckpt            # checkpoint every epoch
          mnist-classifier --resume run.ckpt                # continue a checkpointed run
          mpirun -np 2 mnist-classifier --distributed mpi   # two processes, the same model
        """)

    @OptionGroup var options: TrainingOptions

    @Option(help: ArgumentHelp("Save the trained model (safetensors) to FILE.", valueName: "file"))
    var save: String?

    @Option(help: ArgumentHelp("Load a saved model from FILE and only evaluate it.", valueName: "file"))
    var load: String?

    @Option(help: ArgumentHelp("Write a full training checkpoint to FILE after every epoch.", valueName: "file"))
    var checkpoint: String?

    @Option(help: ArgumentHelp("Resume training from the checkpoint FILE (and keep checkpointing to it).", valueName: "file"))
    var resume: String?

    @Option(help: ArgumentHelp("Draw the train/dev loss and accuracy curves to FILE (SVG).", valueName: "file"))
    var plot: String?

    public mutating func validate() throws {
        try options.requireOneModel("mnist-classifier")
        if load != nil && resume != nil { throw ValidationError("--load and --resume cannot be combined") }
        if let load, load.isEmpty { throw ValidationError("--load needs a file name") }
    }

    public static func main() { CommandMain.run(MNISTClassifierCommand.self) }

    public func run() throws {
        let options = self.options
        let world = try options.distributed.communicator()
        // Rank 0 alone prints, saves, plots and checkpoints.
        let isRoot = world.rank == 0
        let log: (String) -> Void
        if !isRoot { log = { _ in } } else if options.json { log = printError } else { log = { print($0) } }

        if let load { return try evaluateSaved(load, log: log, isRoot: isRoot) }
        if isRoot {
            try checkOutputFile(save, flag: "--save")
            try checkOutputFile(checkpoint, flag: "--checkpoint")
            try checkOutputFile(plot, flag: "--plot")
            try checkOutputFile(options.history, flag: "--history")
        }

        let data = try ClassificationData.load(options)
        log("data: \(data.summary)")
        var rng = RandomGenerator(seed: options.seed)
        let model = try data.buildModel(options.model, rng: &rng)
        log("model: \(model) -> \(model.outputShape), \(model.parameters.reduce(0) { $0 + $1.value.count }) parameters")

        let trainer = try makeTrainer(model: model, options: options)
        trainer.communicator = world
        if world.size > 1 {
            log("distributed: \(world.size) ranks, \(trainer.effectiveShards) shards per batch, \(options.threads) thread\(options.threads == 1 ? "" : "s") per rank"
                + (trainer.effectiveShards < world.size ? " (ranks \(trainer.effectiveShards) and up have no shard and only wait: pass --shards \(world.size) or more)" : ""))
        }
        var checkpointPath = checkpoint
        if let resume {
            let file: SafeTensors
            do { file = try SafeTensors(contentsOf: resume) } catch { throw ExampleError("--resume: \(error)") }
            if let spec = file.metadata["kiln.model"], spec != model.description {
                throw ExampleError("--resume: the checkpoint was trained with --model \"\(spec)\", not \"\(model.description)\"")
            }
            try trainer.restore(from: file)
            log("resumed from \(resume) after epoch \(trainer.completedEpochs)")
            if checkpointPath == nil { checkpointPath = resume }
        }
        if isRoot {
            if let checkpointPath {
                trainer.callbacks.append(CheckpointWriter(path: checkpointPath, inputShape: data.inputShape, classNames: data.classNames,
                                                          extraMetadata: ["kiln.data": options.data].merging(data.standardizationMetadata) { $1 }))
            }
            trainer.callbacks.append(ProgressBar(terminal: options.json ? false : nil))
            if let history = options.history { trainer.callbacks.append(HistoryLog(path: history)) }
            if options.json { trainer.callbacks.append(EpochObserver { print($0.json); fflush(nil) }) }
        }

        let start = Date()
        try trainer.fit(train: data.trainForFitting, dev: data.dev, epochs: options.epochs)
        let trainSeconds = trainer.history.reduce(0) { $0 + $1.seconds }
        if let bestEpoch = trainer.earlyStopping?.bestEpoch {
            log("early stopping: best epoch \(bestEpoch) (\(trainer.stoppedEarly ? "stopped early" : "ran all epochs")); its weights are restored")
        }

        let test = trainer.evaluate(data.test)
        let tta = trainer.testTimeAugmentation
        var oneView: Evaluation?
        if tta != .none {
            trainer.testTimeAugmentation = .none
            oneView = trainer.evaluate(data.test)
            trainer.testTimeAugmentation = tta
        }
        log("test accuracy \(formatFixed(test.accuracy, 4)), test loss \(formatFixed(test.loss, 4))  (\(data.test.count) images, \(formatFixed(Date().timeIntervalSince(start), 1)) s in all)")
        if let oneView { log("  with --tta \(tta); one view alone: test accuracy \(formatFixed(oneView.accuracy, 4)), test loss \(formatFixed(oneView.loss, 4))") }
        log(test.confusion.rendered())
        var diagnosis: Diagnosis?
        if let dev = data.dev {
            let trainEval = trainer.evaluate(data.trainSubsetForDiagnosis)
            let devEval = trainer.evaluate(dev)
            let d = Diagnosis(trainAccuracy: trainEval.accuracy, devAccuracy: devEval.accuracy, targetError: options.targetError)
            diagnosis = d
            log(d.description)
        }
        guard isRoot else { return }
        if let save {
            try model.save(to: save, classNames: data.classNames,
                           metadata: ["kiln.data": options.data].merging(data.standardizationMetadata) { $1 })
            log("saved the model to \(save)")
        }
        if let plot { try TrainingPlot.write(history: trainer.history, bestEpoch: trainer.earlyStopping?.bestEpoch, to: plot) }
        if options.json {
            var fields: [(String, String)] = [
                ("test_accuracy", jsonNumber(test.accuracy)), ("test_loss", jsonNumber(test.loss)),
                ("epochs_run", "\(trainer.history.count)"), ("train_seconds", jsonNumber(trainSeconds)),
            ]
            if let oneView { fields.append(("test_accuracy_one_view", jsonNumber(oneView.accuracy))) }
            fields.append(("tta", "\"\(tta)\""))
            if let last = trainer.history.last, let devAccuracy = last.devAccuracy { fields.append(("dev_accuracy", jsonNumber(devAccuracy))) }
            if let best = trainer.earlyStopping?.bestEpoch { fields.append(("best_epoch", "\(best)")) }
            if let diagnosis {
                fields += [("train_error", jsonNumber(diagnosis.trainError)), ("dev_error", jsonNumber(diagnosis.devError))]
            }
            fields.append(("skipped_steps", "\(trainer.history.reduce(0) { $0 + $1.skippedSteps })"))
            print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
        }
    }

    /// `--load`: rebuild the model from the file's spec, load its weights, evaluate.
    func evaluateSaved(_ path: String, log: (String) -> Void, isRoot: Bool) throws {
        let loaded: LoadedModel
        do { loaded = try Sequential.load(contentsOf: path) } catch { throw ExampleError("--load: \(error)") }
        let model = loaded.model, inputShape = model.inputShape, spec = model.description
        var data = try ClassificationData.load(options, inputShape: inputShape, testOnly: true)
        // A model trained with --standardize carries its statistics; they apply here too.
        let channels = inputShape.count == 3 ? inputShape[0] : (loaded.metadata["kiln.input_mean"]?.split(separator: ",").count ?? 1)
        do {
            if let standardizer = try ClassificationData.standardizer(fromMetadata: loaded.metadata, channels: channels) {
                guard inputShape.reduce(1, *) % channels == 0 else {
                    throw ExampleError("kiln.input_mean: \(channels) channels do not divide the model's \(inputShape.reduce(1, *)) inputs")
                }
                data.test = standardizer.apply(to: data.test)
                log("inputs standardized per channel with the file's statistics")
            }
        } catch { throw ExampleError("--load: \(path): \(error)") }
        guard data.classNames.count == loaded.classNames.count else {
            throw ExampleError("--load: \(path) classifies \(loaded.classNames.count) classes, the data has \(data.classNames.count)")
        }
        try options.checkTestTimeAugmentation(inputShape: inputShape)
        let tta = options.testTimeAugmentation
        let test = Trainer.evaluate(model: model, data: data.test, batchSize: inputShape.count == 3 ? 250 : 1000, threads: options.threads,
                                    testTimeAugmentation: tta)
        log("model: \(spec)")
        log("test accuracy \(formatFixed(test.accuracy, 4)), test loss \(formatFixed(test.loss, 4)) (\(data.test.count) images\(tta == .none ? "" : ", --tta \(tta)"))")
        log(test.confusion.rendered())
        if options.json && isRoot {
            print("{\"test_accuracy\": \(jsonNumber(test.accuracy)), \"test_loss\": \(jsonNumber(test.loss)), \"tta\": \"\(tta)\", \"epochs_run\": 0, \"train_seconds\": 0}")
        }
    }
}
