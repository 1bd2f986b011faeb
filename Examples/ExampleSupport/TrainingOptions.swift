import ArgumentParser
import Foundation
import KilnAugmentation
import KilnData
import KilnLayers
import KilnOptimizers
import KilnRegistry
import KilnRegularizers
import KilnTensor
import KilnTraining

/// The flags shared by `mnist-classifier`, `bagging-ensemble` and `boosting-ensemble`
/// (a contract: docs/ARCHITECTURE.md).
/// `validate()` checks every value and spec before any data is read, so a typo is a usage
/// error (exit 64) within milliseconds.
public struct TrainingOptions: ParsableArguments {
    public init() {}

    @Option(help: ArgumentHelp("Data: fashion-mnist (Debian's IDX files), idx:DIR (MNIST-style IDX files), png:DIR (train/ and test/ class folders).", valueName: "source"))
    public var data: String = "fashion-mnist"

    /// The default `--model`: the default recipe's (``Recipe/mlp``).
    public static let defaultModel = Recipe.mlp.model

    @Option(help: ArgumentHelp(
        "A named training recipe: model, optimizer, schedule, loss, augmentation, epochs and batch size (default: \(Recipe.defaultName)); any of those flags given overrides its part. --recipe list prints them.",
        valueName: "name"))
    public var recipe: String?

    /// The recipe in use: `--recipe`, or the default (``Recipe/defaultName``).
    public var recipeInUse: Recipe {
        (try? recipes.make(recipe ?? Recipe.defaultName)) ?? Recipe.mlp
    }

    @Option(name: .customLong("model"), help: ArgumentHelp(
        "Model as a layer pipeline spec (default: the recipe's). bagging-ensemble takes it several times: members cycle through the specs.",
        valueName: "spec"))
    public var models: [String] = []

    /// The model spec: the last `--model`, or the recipe's.
    public var model: String { models.last ?? recipeInUse.model }

    /// The model specs given (the recipe's alone when none was).
    public var modelSpecs: [String] { models.isEmpty ? [recipeInUse.model] : models }

    /// A usage error when `--model` was given more than once to a command that trains one
    /// model at a time.
    public func requireOneModel(_ command: String) throws {
        guard models.count <= 1 else {
            throw ValidationError("--model is given \(models.count) times; \(command) trains one model (bagging-ensemble mixes several)")
        }
    }

    @Option(name: .customLong("optimizer"), help: ArgumentHelp("Optimizer spec, e.g. adam(lr=0.001), sgd(lr=0.1, momentum=0.9) (default: the recipe's).", valueName: "spec"))
    public var optimizerFlag: String?
    /// The optimizer spec: `--optimizer` or the recipe's.
    public var optimizer: String { optimizerFlag ?? recipeInUse.optimizer }

    @Option(name: .customLong("schedule"), help: ArgumentHelp("Learning-rate schedule spec, e.g. exponential(rate=0.9), cosine(total=10), warmup-cosine(warmup=1), one-cycle, or constant (default: the recipe's).", valueName: "spec"))
    public var scheduleFlag: String?
    /// The schedule spec: `--schedule` or the recipe's (nil: a constant rate).
    public var schedule: String? { scheduleFlag ?? recipeInUse.schedule }

    @Option(name: .customLong("loss"), help: ArgumentHelp("Training loss spec: softmax-ce(label_smoothing=0.1), mse, bce (default: the recipe's).", valueName: "spec"))
    public var lossFlag: String?
    /// The loss spec: `--loss` or the recipe's.
    public var loss: String { lossFlag ?? recipeInUse.loss }

    @Option(help: ArgumentHelp("Regularizer for all weights (not biases), e.g. l2(lambda=1e-4), l1(lambda=1e-5).", valueName: "spec"))
    public var regularizer: String?

    @Option(name: .customLong("early-stopping"), help: ArgumentHelp("Early stopping on the dev set, e.g. \"patience=3\" or \"patience=3, monitor=accuracy\".", valueName: "spec"))
    public var earlyStopping: String?

    @Option(name: .customLong("augment"), help: ArgumentHelp("Augmentation pipeline applied to training images per epoch, e.g. \"random-crop(width=28, height=28, padding=2)|random-flip(axis=horizontal)\", or none (default: the recipe's).", valueName: "spec"))
    public var augmentFlag: String?
    /// The augmentation spec: `--augment` or the recipe's (nil: none; `--augment none` turns
    /// a recipe's off).
    public var augment: String? {
        if let augmentFlag { return augmentFlag == "none" ? nil : augmentFlag }
        return recipeInUse.augment
    }

    @Option(name: .customLong("tta"), help: ArgumentHelp("Test-time augmentation when evaluating: none; flip (each prediction is the mean of the image's and its mirror image's class probabilities); or flip-shift (the mean over ten views: both images, each also moved one pixel left, right, up and down); image models (default: the recipe's).", valueName: "mode"))
    public var ttaFlag: String?
    /// `--tta` or the recipe's.
    public var testTimeAugmentation: TestTimeAugmentation {
        ttaFlag.flatMap(TestTimeAugmentation.init(rawValue:)) ?? recipeInUse.testTimeAugmentation
    }

    @Option(name: .customLong("epochs"), help: "Number of epochs (default: the recipe's).")
    public var epochsFlag: Int?
    /// `--epochs` or the recipe's.
    public var epochs: Int { epochsFlag ?? recipeInUse.epochs }

    @Option(name: .customLong("batch-size"), help: "Mini-batch size (default: the recipe's).")
    public var batchSizeFlag: Int?
    /// `--batch-size` or the recipe's.
    public var batchSize: Int { batchSizeFlag ?? recipeInUse.batchSize }

    @Option(help: "Random seed (weights, shuffling, dropout, splits).")
    public var seed: UInt64 = 1

    @Option(help: threadsHelp)
    public var threads: Int = Parallel.availableCores

    @Option(help: shardsHelp)
    public var shards: Int?

    @Option(help: DistributedMode.help)
    public var distributed: DistributedMode = .none

    @Option(help: ArgumentHelp("png:DIR only: convert the images to 1 (grey) or 3 (RGB) channels (default: grey when every training image is grey, RGB otherwise).", valueName: "n"))
    public var channels: Int?

    @Option(name: .customLong("image-size"), help: ArgumentHelp("png:DIR only: resize every image to WxH (default: the images' own size, which must then be the same for all).", valueName: "WxH"))
    public var imageSize: String?

    @Flag(help: "Standardize the inputs per channel with the training split's mean and std (saved in the model file and applied at --load).")
    public var standardize = false

    @Option(name: .customLong("dev-size"), help: "Training images held out as the dev split (default: 5000, or 10% when the training set has fewer than 50,000; bagging-ensemble: 0, its members' out-of-bag images serve instead).")
    public var devSize: Int?

    @Option(help: "Use only the first N training images (quick runs).")
    public var limit: Int?

    @Option(name: .customLong("clip-norm"), help: "Clip the global gradient norm to this value.")
    public var clipNorm: Float?

    @Option(name: .customLong("clip-value"), help: "Clamp every gradient element to [-v, v] (before --clip-norm).")
    public var clipValue: Float?

    @Option(help: ArgumentHelp("Keep the layers at these spec positions (0-based, comma-separated) as they are: the optimizer, regularizers and clipping skip them.", valueName: "positions"))
    public var freeze: String?

    /// `--freeze` as positions.
    public var frozenPositions: [Int] { (freeze ?? "").split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    @Flag(name: .customLong("skip-nonfinite"), help: "Skip steps whose loss or gradient is NaN/Inf instead of stopping (they are counted).")
    public var skipNonFinite = false

    @Option(name: .customLong("target-error"), help: "Target (Bayes/human) error for the bias/variance diagnosis, e.g. 0.05.")
    public var targetError: Double = 0

    @Option(help: ArgumentHelp("Write the epoch history to FILE (.csv or JSON lines).", valueName: "file"))
    public var history: String?

    @Flag(help: "Print one JSON object per epoch and a final summary on standard output.")
    public var json = false

    public mutating func validate() throws {
        if recipe == "list" {
            throw CleanExit.message(recipes.names.compactMap { try? recipes.make($0).description }.joined(separator: "\n\n"))
        }
        if let recipe { do { _ = try recipes.make(recipe) } catch { throw usageError("--recipe", error) } }
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        try validateThreads(threads)
        if let shards { try validateShards(shards) }
        if let devSize, devSize < 0 { throw ValidationError("--dev-size must not be negative, got \(devSize)") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if let clipNorm, !(clipNorm > 0 && clipNorm.isFinite) { throw ValidationError("--clip-norm must be a positive number") }
        if let clipValue, !(clipValue > 0 && clipValue.isFinite) { throw ValidationError("--clip-value must be a positive number") }
        if let freeze {
            let parts = freeze.split(separator: ",", omittingEmptySubsequences: false)
            guard !parts.isEmpty, parts.allSatisfy({ Int($0.trimmingCharacters(in: .whitespaces)).map { $0 >= 0 } ?? false }) else {
                throw ValidationError("--freeze takes layer positions such as 0,2 (0-based), got '\(freeze)'")
            }
        }
        guard targetError >= 0 && targetError < 1 else { throw ValidationError("--target-error must be in [0, 1)") }
        let source = try DataSource(parsing: data)
        if let channels, ![1, 3].contains(channels) { throw ValidationError("--channels must be 1 or 3, got \(channels)") }
        if let imageSize, ImageSize(parsing: imageSize) == nil {
            throw ValidationError("--image-size takes WxH with both sides in 1...65536, such as 32x32, got '\(imageSize)'")
        }
        if channels != nil || imageSize != nil {
            guard case .png = source else { throw ValidationError("--channels and --image-size apply to --data png:DIR only") }
        }
        for spec in modelSpecs {
            do {
                for layer in try Spec.parsePipeline(spec).map({ try layers.make($0) }) {
                    // A layer's own regularizer= is checked against the regularizers registry here.
                    if let named = layer as? any RegularizedLayer, let regularizer = named.regularizerSpec {
                        do { _ = try regularizers.make(regularizer) } catch {
                            throw ValidationError("in \"\(layer.description)\": regularizer: \(error)")
                        }
                    }
                }
            } catch { throw usageError("--model", error) }
        }
        do { _ = try optimizers.make(optimizer) } catch { throw usageError("--optimizer", error) }
        if let schedule { do { _ = try schedules.make(schedule) } catch { throw usageError("--schedule", error) } }
        do { _ = try losses.make(loss) } catch { throw usageError("--loss", error) }
        if let regularizer { do { _ = try regularizers.make(regularizer) } catch { throw usageError("--regularizer", error) } }
        if let earlyStopping { do { _ = try makeEarlyStopping(earlyStopping) } catch { throw usageError("--early-stopping", error) } }
        if let augment { do { try validateAugmentation(augment) } catch { throw usageError("--augment", error) } }
        if let ttaFlag, TestTimeAugmentation(rawValue: ttaFlag) == nil {
            throw ValidationError("--tta: expected one of \(TestTimeAugmentation.allCases.map(\.rawValue).joined(separator: ", ")), got '\(ttaFlag)'")
        }
    }

    /// Throws when `--tta` (or the recipe's) does not apply to a model of `inputShape`.
    public func checkTestTimeAugmentation(inputShape: [Int]) throws {
        let tta = testTimeAugmentation
        guard tta.fits(inputShape: inputShape) else {
            throw ExampleError("--tta \(tta): needs image inputs (CxHxW); the model takes \(inputShape.map(String.init).joined(separator: "x")) (use --tta none)")
        }
    }

    /// Images per evaluation batch: conv layers keep im2col and activation buffers sized by
    /// the batch (about 0.5 GB for 1,000 images with the README's CNN), so image models
    /// evaluate 250 at a time; dense models 1,000.
    public var evaluationBatchSize: Int { needsImages ? 250 : 1000 }

    /// Whether a model needs images as CHW (it has a conv or pooling layer). With several
    /// `--model`s the data is loaded as images when any needs them (dense layers flatten
    /// CHW inputs themselves, so the others take them too).
    public var needsImages: Bool {
        modelSpecs.contains { spec in
            let names = (try? Spec.parsePipeline(spec).map(\.name)) ?? []
            return names.contains { ["conv", "conv2d", "maxpool", "avgpool", "maxpool2d", "avgpool2d", "residual",
                                     "global-avgpool", "global-avg-pool", "gap"].contains($0) }
        }
    }
}

/// `--early-stopping` accepts the arguments alone (`patience=3`) or the full spec.
public func makeEarlyStopping(_ text: String) throws -> EarlyStopping {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    let specText = trimmed.hasPrefix("early-stopping") ? trimmed : "early-stopping(\(trimmed))"
    // EarlyStopping(spec:) rejects unknown keys itself.
    return try EarlyStopping(spec: try Spec(parsing: specText))
}

/// Where the data comes from.
public enum DataSource: Equatable, CustomStringConvertible {
    case fashionMNIST
    case idx(String)
    case png(String)

    public init(parsing text: String) throws {
        if text == "fashion-mnist" { self = .fashionMNIST; return }
        if text.hasPrefix("idx:"), text.count > 4 { self = .idx(String(text.dropFirst(4))); return }
        if text.hasPrefix("png:"), text.count > 4 { self = .png(String(text.dropFirst(4))); return }
        throw ValidationError("--data: expected fashion-mnist, idx:DIR or png:DIR, got '\(text)'")
    }

    public var description: String {
        switch self {
        case .fashionMNIST: return "fashion-mnist"
        case .idx(let dir): return "idx:\(dir)"
        case .png(let dir): return "png:\(dir)"
        }
    }
}
