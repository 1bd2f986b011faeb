import ArgumentParser
import KilnData
import KilnExampleSupport
import KilnLayers
import KilnOptimizers
import KilnTensor
import KilnTraining

/// One training job of the peers (../shared/peers/train_torch.py): Fashion-MNIST from the
/// Debian files, inputs in [0, 1], Adam lr 1e-3, batch 128, no dev split; each epoch is
/// timed (training only, data already loaded), then the test set is evaluated.
struct TrainingJob {
    var name: String
    var model: String
    var image: Bool

    var shards: Int?
    var distributed: DistributedMode = .none

    func run(_ options: CommonOptions, epochs: Int, seed: UInt64) throws {
        let world = try distributed.communicator()
        let layout: MNISTDirectory.Layout = image ? .image : .flat
        let (train, test) = try MNISTDirectory.fashionMNIST.loadTrainAndTest(layout: layout)
        var rng = RandomGenerator(seed: seed)
        let network = try Sequential.build(spec: model, inputShape: train.inputShape, rng: &rng)
        let trainer = Trainer(model: network, optimizer: try optimizers.make("adam(lr=0.001)"), batchSize: 128, seed: seed)
        trainer.threads = options.threads
        trainer.shards = shards
        trainer.communicator = world
        trainer.separatesWaiting = world.size > 1
        try trainer.fit(train: train, epochs: epochs)
        let times = trainer.history.map(\.seconds).sorted()
        let median = times[times.count / 2]
        let steps = Double(epochs * ((train.count + 127) / 128))
        let (exchange, allgather, waiting) = trainer.communicationSeconds
        let stepSeconds = trainer.history.reduce(0) { $0 + $1.seconds } / steps
        let accuracy = trainer.evaluate(test).accuracy
        guard world.rank == 0 else { return }
        if options.json {
            print(jsonLine([("case", name), ("model", model), ("epochs", epochs), ("epoch_seconds", median),
                            ("epoch_seconds_best", times[0]), ("samples_per_second", Double(train.count) / median),
                            ("test_accuracy", accuracy), ("threads", options.threads), ("shards", trainer.effectiveShards),
                            ("ranks", world.size), ("step_ms", 1000 * stepSeconds), ("exchange_ms_per_step", 1000 * exchange / steps),
                            ("allgather_ms_per_step", 1000 * allgather / steps), ("waiting_ms_per_step", 1000 * waiting / steps)]))
        } else {
            print("\(name): \(model)")
            print("  epoch seconds: median \(format3(median)), best \(format3(times[0])) over \(epochs) epoch(s); "
                  + "\(Int(Double(train.count) / median)) samples/s; test accuracy \(format3(accuracy)) (\(options.threads) thread(s), \(trainer.effectiveShards) shards)")
            if world.size > 1 {
                print("  \(world.size) ranks: step \(format3(1000 * stepSeconds)) ms, of which exchange \(format3(1000 * exchange / steps)) ms "
                      + "(allgather \(format3(1000 * allgather / steps)) ms; \(format3(100 * exchange / steps / stepSeconds))% of the step), "
                      + "waiting for the other ranks \(format3(1000 * waiting / steps)) ms")
            }
        }
    }
}

/// The flags of a training-epoch benchmark.
struct EpochOptions: ParsableArguments {
    @Option(help: "Epochs to time (the median is reported).") var epochs: Int = 1
    @Option(help: "Seed.") var seed: UInt64 = 1
    @Option(help: shardsHelp) var shards: Int?
    @Option(help: DistributedMode.help) var distributed: DistributedMode = .none

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        if let shards { try validateShards(shards) }
    }

    /// Times `model` on Fashion-MNIST with these flags.
    func run(_ name: String, model: String, image: Bool, _ options: CommonOptions) throws {
        try TrainingJob(name: name, model: model, image: image, shards: shards, distributed: distributed)
            .run(options, epochs: epochs, seed: seed)
    }
}

struct MLPEpoch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlp-epoch", abstract: "One epoch (or more) of the default MLP 784-256-128-10 with Adam, as the PyTorch peer.")
    @OptionGroup var options: CommonOptions
    @OptionGroup var epoch: EpochOptions
    func run() throws {
        try epoch.run("mlp-epoch", model: "dense(256)|relu|dense(128)|relu|dense(10)", image: false, options)
    }
}

struct CNNEpoch: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cnn-epoch", abstract: "One epoch of the peers' CNN (conv32-pool-conv64-pool-dense128-dense10) with Adam.")
    @OptionGroup var options: CommonOptions
    @OptionGroup var epoch: EpochOptions
    func run() throws {
        try epoch.run("cnn-epoch",
                      model: "conv(32, kernel=3, padding=1)|relu|maxpool(2)|conv(64, kernel=3, padding=1)|relu|maxpool(2)|flatten|dense(128)|relu|dense(10)",
                      image: true, options)
    }
}
