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
    public var inputShape: [Int] { train.inputShape }
    public var classNames: [String] { train.classNames }

    /// Up to 10,000 training images, for the train error of the bias/variance diagnosis.
    public var trainSubsetForDiagnosis: TensorDataset {
        train.count <= 10_000 ? train : train.subset(Array(0..<10_000))
    }

    public var summary: String {
        "\(train.count) train, \(dev?.count ?? 0) dev, \(test.count) test images of shape \(inputShape), \(classNames.count) classes"
            + (augmented != nil ? ", augmented per epoch" : "")
    }

    /// Loads and splits the data. `inputShape` forces the layout (for `--load`).
    public static func load(_ options: TrainingOptions, inputShape: [Int]? = nil, testOnly: Bool = false) throws -> ClassificationData {
        let image = inputShape.map { $0.count == 3 } ?? options.needsImages
        var (train, test) = try loadParts(try DataSource(parsing: options.data), image: image)
        if let inputShape, test.inputShape != inputShape {
            guard test.inputShape.reduce(1, *) == inputShape.reduce(1, *) else {
                throw ExampleError("the model expects inputs of shape \(inputShape), the data has \(test.inputShape)")
            }
            test = test.reshaped(inputShape: inputShape)
            train = train.reshaped(inputShape: inputShape)
        }
        if testOnly {
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
        var augmented: AugmentedDataset?
        if let spec = options.augment {
            let pipeline = try TransformPipeline(spec)
            augmented = try AugmentedDataset(base: train, pipeline: pipeline, seed: options.seed)
            guard augmented!.inputShape == train.inputShape else {
                throw ExampleError("--augment \"\(spec)\" changes the image shape \(train.inputShape) to \(augmented!.inputShape); the model needs the original size")
            }
        }
        return ClassificationData(train: train, dev: dev, test: test, trainForFitting: augmented ?? train, augmented: augmented)
    }

    static func loadParts(_ source: DataSource, image: Bool) throws -> (TensorDataset, TensorDataset) {
        let layout: MNISTDirectory.Layout = image ? .image : .flat
        switch source {
        case .fashionMNIST:
            let parts = try MNISTDirectory.fashionMNIST.loadTrainAndTest(layout: layout)
            return (parts.train, parts.test)
        case .idx(let dir):
            let parts = try MNISTDirectory(path: dir).loadTrainAndTest(layout: layout)
            return (parts.train, parts.test)
        case .png(let dir):
            let tensorLayout: TensorLayout = image ? .chw : .flattened
            let train = try ImageFolderDataset(root: dir + "/train", layout: tensorLayout).dataset
            let test = try ImageFolderDataset(root: dir + "/test", layout: tensorLayout).dataset
            guard train.classNames == test.classNames else {
                throw ExampleError("png:\(dir): train/ and test/ have different class folders")
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
