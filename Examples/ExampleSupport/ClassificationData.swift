import KilnAugmentation
import KilnData
import KilnLayers
import KilnTensor
import KilnTraining

/// The train/dev/test data of a classification example, loaded from `--data` with the
/// shared conventions: images scaled to [0, 1]; flat `[784]` inputs for dense models and
/// CHW `[1, 28, 28]` for models with conv or pooling layers; 5,000 training images (10%
/// when the training set has fewer than 50,000) held out as the dev split, seeded.
public struct ClassificationData {
    public var train: TensorDataset
    public var dev: TensorDataset?
    public var test: TensorDataset
    /// The training set the trainer sees: `train`, or `train` with an augmentation pipeline.
    public var trainForFitting: any Dataset
    /// The augmented view, if any (the trainer advances its epoch).
    public var augmented: AugmentedDataset?
    /// `--standardize`: the per-channel statistics fitted on the training split and applied to
    /// every split (saved with the model, ``standardizationMetadata``).
    public var standardizer: Standardizer?
    public var inputShape: [Int] { train.inputShape }
    public var classNames: [String] { train.classNames }

    /// Up to 10,000 training images, for the train error of the bias/variance diagnosis.
    public var trainSubsetForDiagnosis: TensorDataset {
        train.count <= 10_000 ? train : train.subset(Array(0..<10_000))
    }

    public var summary: String {
        "\(train.count) train, \(dev?.count ?? 0) dev, \(test.count) test images of shape \(inputShape), \(classNames.count) classes"
            + (augmented != nil ? ", augmented per epoch" : "")
            + (standardizer.map { ", standardized per channel (mean \(Self.list($0.mean)), std \(Self.list($0.std)))" } ?? "")
    }

    /// The standardization as model-file metadata: `kiln.input_mean` and `kiln.input_std`,
    /// one number per channel (empty without `--standardize`).
    public var standardizationMetadata: [String: String] {
        guard let standardizer else { return [:] }
        return ["kiln.input_mean": Self.list(standardizer.mean), "kiln.input_std": Self.list(standardizer.std)]
    }

    static func list(_ t: Tensor) -> String { t.scalars.map { "\($0)" }.joined(separator: ",") }

    /// The standardization a model file records (nil when it records none): one mean and
    /// std for each of the model's `channels` input channels. Throws an ``ExampleError``
    /// naming the field when malformed.
    public static func standardizer(fromMetadata metadata: [String: String], channels: Int) throws -> Standardizer? {
        guard metadata["kiln.input_mean"] != nil || metadata["kiln.input_std"] != nil else { return nil }
        func values(_ key: String) throws -> [Float] {
            let parts = (metadata[key] ?? "").split(separator: ",", omittingEmptySubsequences: false).map { Float($0) }
            guard parts.count == channels, parts.allSatisfy({ $0 != nil }) else {
                throw ExampleError("\(key): expected \(channels) numbers (one per input channel), got '\(metadata[key] ?? "")'")
            }
            return parts.map { $0! }
        }
        do {
            return try Standardizer(mean: Tensor(shape: [channels, 1, 1], scalars: try values("kiln.input_mean")),
                                    std: Tensor(shape: [channels, 1, 1], scalars: try values("kiln.input_std")))
        } catch let error as ExampleError { throw error } catch {
            throw ExampleError("kiln.input_mean/kiln.input_std: \(error)")
        }
    }

    /// Loads and splits the data. `inputShape` forces the layout (for `--load`).
    public static func load(_ options: TrainingOptions, inputShape: [Int]? = nil, testOnly: Bool = false) throws -> ClassificationData {
        let image = inputShape.map { $0.count == 3 } ?? options.needsImages
        let source = try DataSource(parsing: options.data)
        // Images are loaded CxHxW (per-channel statistics need the channels), then
        // flattened for dense models (a reshape: no data moves).
        var (train, test) = try loadParts(source, options: options)
        let imageShape = train.inputShape
        if let inputShape, imageShape != inputShape {
            guard imageShape.reduce(1, *) == inputShape.reduce(1, *) else {
                var message = "the model expects inputs of shape \(inputShape), the data has \(imageShape)"
                if case .png = source {
                    let features = inputShape.reduce(1, *), plane = imageShape[1] * imageShape[2]
                    if inputShape.count == 3 {
                        message += " (pass --channels \(inputShape[0]) --image-size \(inputShape[2])x\(inputShape[1]) to convert the images)"
                    } else if features % plane == 0, [1, 3].contains(features / plane) {
                        message += " (\(features / plane)x\(imageShape[1])x\(imageShape[2]) images: pass --channels \(features / plane) to convert them)"
                    } else {
                        message += " (the model was trained on images of another size: pass --image-size)"
                    }
                }
                throw ExampleError(message)
            }
        }
        let flatShape = [imageShape.reduce(1, *)]
        let finalShape = inputShape ?? (image ? imageShape : flatShape)
        if testOnly {
            (train, test) = (train.reshaped(inputShape: finalShape), test.reshaped(inputShape: finalShape))
            return ClassificationData(train: train, dev: nil, test: test, trainForFitting: train, augmented: nil)
        }
        if let limit = options.limit, limit < train.count { train = train.subset(Array(0..<limit)) }
        let devSize = options.devSize ?? (train.count < 50_000 ? train.count / 10 : 5_000)
        guard devSize < train.count else {
            throw ExampleError("--dev-size \(devSize) leaves no training images (the training set has \(train.count))")
        }
        var dev: TensorDataset?
        if devSize > 0 {
            let parts = try train.split(dev: .count(devSize), seed: options.seed)
            train = parts.train
            dev = parts.dev
        }
        var fitted: Standardizer?
        if options.standardize {
            let s = try Standardizer(fitting: train, mode: .perChannel)
            (train, test) = (s.apply(to: train), s.apply(to: test))
            dev = dev.map { s.apply(to: $0) }
            fitted = s
        }
        if finalShape != imageShape {
            (train, test) = (train.reshaped(inputShape: finalShape), test.reshaped(inputShape: finalShape))
            dev = dev.map { $0.reshaped(inputShape: finalShape) }
        }
        var augmented: AugmentedDataset?
        if let spec = options.augment {
            let pipeline = try TransformPipeline(spec)
            augmented = try AugmentedDataset(base: train, pipeline: pipeline, seed: options.seed)
            guard augmented!.inputShape == train.inputShape else {
                throw ExampleError("--augment \"\(spec)\" changes the image shape \(train.inputShape) to \(augmented!.inputShape); the model needs the original size")
            }
        }
        return ClassificationData(train: train, dev: dev, test: test, trainForFitting: augmented ?? train, augmented: augmented,
                                  standardizer: fitted)
    }

    /// The train and test sets as CxHxW images. PNG folders keep their images' own colour
    /// and size unless `--channels` or `--image-size` says otherwise; the test folder is
    /// read as the training folder's channels and must have its size.
    static func loadParts(_ source: DataSource, options: TrainingOptions) throws -> (TensorDataset, TensorDataset) {
        let layout: MNISTDirectory.Layout = .image
        switch source {
        case .fashionMNIST:
            let parts = try MNISTDirectory.fashionMNIST.loadTrainAndTest(layout: layout)
            return (parts.train, parts.test)
        case .idx(let dir):
            let parts = try MNISTDirectory(path: dir).loadTrainAndTest(layout: layout)
            return (parts.train, parts.test)
        case .png(let dir):
            let size = options.imageSize.flatMap(ImageSize.init(parsing:))
            let trainFolder = try ImageFolderDataset(root: dir + "/train", channels: options.channels, size: size, layout: .chw)
            let train = trainFolder.dataset
            let testFolder = try ImageFolderDataset(root: dir + "/test", channels: train.inputShape[0], size: size, layout: .chw)
            let test = testFolder.dataset
            guard train.classNames == test.classNames else {
                throw ExampleError("png:\(dir): train/ and test/ have different class folders")
            }
            guard train.inputShape == test.inputShape else {
                throw ExampleError("png:\(dir): images of different sizes: \(trainFolder.files[0]) is \(train.inputShape[2])x\(train.inputShape[1]) and \(testFolder.files[0]) is \(test.inputShape[2])x\(test.inputShape[1]) (pass --image-size WxH to resize them all)")
            }
            return (train, test)
        }
    }
}

extension ClassificationData {
    /// Builds the model `spec` for this data: its input shape, and one output per class.
    /// Throws an ``ExampleError`` (exit status 1) naming the spec and the layer that cannot
    /// fit, or the output count that does not match the classes.
    public func buildModel(_ spec: String, rng: inout RandomGenerator) throws -> Sequential {
        let model: Sequential
        do {
            model = try Sequential.build(spec: spec, inputShape: inputShape, rng: &rng)
        } catch {
            throw ExampleError("--model \"\(spec)\" does not fit the data (input \(inputShape)): \(error)")
        }
        guard model.outputShape == [classNames.count] else {
            throw ExampleError("--model \"\(spec)\" ends with \(model.outputShape) outputs, but the data has \(classNames.count) classes (end the spec with dense(\(classNames.count)))")
        }
        return model
    }
}

/// Checks an augmentation spec (usage errors before any data is read).
public func validateAugmentation(_ spec: String) throws {
    _ = try TransformPipeline(spec)
}
