import KilnTensor

/// A directory of IDX files in the MNIST layout:
/// ```
/// train-images-idx3-ubyte[.gz]   train-labels-idx1-ubyte[.gz]
/// t10k-images-idx3-ubyte[.gz]    t10k-labels-idx1-ubyte[.gz]
/// ```
/// (the variants with a dot, `train-images.idx3-ubyte`, are accepted too; a raw file is
/// preferred over its `.gz` when both exist). MNIST, Fashion-MNIST and KMNIST ship this way.
///
/// Images become Floats scaled to [0, 1] (`x / 255`) with input shape `[rows * columns]`
/// (`[784]`), or `[1, rows, columns]` with `layout: .image` for convolutional layers.
/// The datasets keep the pixels as bytes and convert each batch (see ``TensorDataset``). Labels are checked against the class count; images and labels
/// must agree in count. Errors are ``DataError``s naming the file.
///
/// ```swift
/// let (train, test) = try MNISTDirectory.fashionMNIST.loadTrainAndTest()
/// train.count                        // 60000
/// train.classNames[0]                // "T-shirt/top"
/// let mnist = MNISTDirectory(path: "data/mnist")   // classes "0"..."9"
/// ```
public struct MNISTDirectory: Sendable, Equatable {
    /// The training or the test half.
    public enum Part: String, Sendable, CaseIterable {
        /// The training files (`train-*`; 60,000 images in MNIST and Fashion-MNIST).
        case train
        /// The test files (`t10k-*`; 10,000 images in MNIST and Fashion-MNIST).
        case test

        /// The file-name prefix: `train` or `t10k`.
        public var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    /// How image bytes become Floats.
    public enum Scaling: Sendable, Equatable {
        /// `x / 255`: values in [0, 1] (the default).
        case unitInterval
        /// The byte values 0...255 as Floats.
        case raw
    }

    /// The input shape given to each image.
    public enum Layout: Sendable, Equatable {
        /// `[rows * columns]` (e.g. `[784]`) for dense layers (the default).
        case flat
        /// `[1, rows, columns]` (channels, height, width) for convolutional layers.
        case image
    }

    /// Debian's `dataset-fashion-mnist` package installs the four `.gz` files here.
    public static let fashionMNISTPath = "/usr/share/datasets/fashion-mnist"

    /// Fashion-MNIST's ten classes, by label.
    public static let fashionMNISTClassNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// Fashion-MNIST from Debian's package, with its class names.
    public static let fashionMNIST = MNISTDirectory(path: fashionMNISTPath, classNames: fashionMNISTClassNames)

    /// The directory.
    public var path: String
    /// The class names (their count bounds the labels); nil: `"0"`, `"1"`, ... with
    /// `max(10, largest label + 1)` classes over the files loaded together.
    public var classNames: [String]?

    /// A directory of the four IDX files, with class names by label (nil: `"0"`, `"1"`, …).
    public init(path: String, classNames: [String]? = nil) {
        self.path = path
        self.classNames = classNames
    }

    /// The expected base names of a part's files (without `.gz`).
    public static func fileNames(for part: Part) -> (images: String, labels: String) {
        ("\(part.filePrefix)-images-idx3-ubyte", "\(part.filePrefix)-labels-idx1-ubyte")
    }

    /// The paths of a part's image and label files; throws ``DataError`` (`.missingFile`)
    /// listing what is missing and what the directory should hold.
    public func files(for part: Part) throws -> (images: String, labels: String) {
        try files(for: [part])[0]
    }

    private func files(for parts: [Part]) throws -> [(images: String, labels: String)] {
        guard FileBytes.isDirectory(path) else {
            throw DataError(.missingFile, file: path, FileBytes.isFile(path)
                ? "not a directory (expected a directory of MNIST-style IDX files: \(MNISTDirectory.expectedText))"
                : "no such directory (expected a directory of MNIST-style IDX files: \(MNISTDirectory.expectedText))")
        }
        var missing: [String] = []
        var found: [(images: String, labels: String)] = []
        for part in parts {
            let names = MNISTDirectory.fileNames(for: part)
            let images = locate(names.images)
            let labels = locate(names.labels)
            if images == nil { missing.append(names.images + "[.gz]") }
            if labels == nil { missing.append(names.labels + "[.gz]") }
            if let images, let labels { found.append((images, labels)) }
        }
        guard missing.isEmpty else {
            throw DataError(.missingFile, file: path,
                            "missing \(missing.joined(separator: ", ")); an MNIST-style directory holds \(MNISTDirectory.expectedText)")
        }
        return found
    }

    private static var expectedText: String {
        Part.allCases.flatMap { p in [fileNames(for: p).images, fileNames(for: p).labels] }.joined(separator: ", ")
            + " (each raw or .gz)"
    }

    /// The first existing file among the name's spellings (hyphen or dot before `idx`, raw or `.gz`).
    private func locate(_ base: String) -> String? {
        // "train-images-idx3-ubyte" -> "train-images.idx3-ubyte"
        let parts = base.split(separator: "-", omittingEmptySubsequences: false)
        let dotted = parts.count == 4 ? "\(parts[0])-\(parts[1]).\(parts[2])-\(parts[3])" : base
        for name in [base, base + ".gz", dotted, dotted + ".gz"] {
            let candidate = path.hasSuffix("/") ? path + name : path + "/" + name
            if FileBytes.isFile(candidate) { return candidate }
        }
        return nil
    }

    /// Loads one part.
    public func load(_ part: Part, scaling: Scaling = .unitInterval, layout: Layout = .flat) throws -> TensorDataset {
        let paths = try files(for: [part])[0]
        let raw = try readPart(paths)
        let names = classNames ?? MNISTDirectory.digitNames(for: [raw.labels])
        return try makeDataset(raw, paths: paths, classNames: names, scaling: scaling, layout: layout)
    }

    /// Loads both parts (checking all four files exist before reading any); with inferred
    /// class names, both get the same names.
    public func loadTrainAndTest(scaling: Scaling = .unitInterval, layout: Layout = .flat) throws
        -> (train: TensorDataset, test: TensorDataset) {
        let paths = try files(for: [.train, .test])
        let trainRaw = try readPart(paths[0])
        let testRaw = try readPart(paths[1])
        let (trainSize, testSize) = (trainRaw.images.dimensions.dropFirst(), testRaw.images.dimensions.dropFirst())
        guard trainSize == testSize else {
            throw DataError(.badDimensions, file: paths[1].images,
                            "has \(testSize.map(String.init).joined(separator: "x")) images but \(paths[0].images) has \(trainSize.map(String.init).joined(separator: "x")) (train and test images must have one size)")
        }
        let names = classNames ?? MNISTDirectory.digitNames(for: [trainRaw.labels, testRaw.labels])
        let train = try makeDataset(trainRaw, paths: paths[0], classNames: names, scaling: scaling, layout: layout)
        let test = try makeDataset(testRaw, paths: paths[1], classNames: names, scaling: scaling, layout: layout)
        return (train, test)
    }

    private func readPart(_ paths: (images: String, labels: String)) throws -> (images: IDXFile, labels: IDXFile) {
        let labels = try IDXFile(contentsOf: paths.labels)
        guard labels.rank == 1 else {
            throw DataError(.badMagic, file: paths.labels,
                            "expected an idx1 label file (magic 0x00000801), got an idx\(labels.rank) file (magic \(IDXDecoder.hex(labels.magic)))")
        }
        let images = try IDXFile(contentsOf: paths.images)
        guard images.rank == 3 else {
            throw DataError(.badMagic, file: paths.images,
                            "expected an idx3 image file (magic 0x00000803), got an idx\(images.rank) file (magic \(IDXDecoder.hex(images.magic)))")
        }
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw DataError(.countMismatch, file: paths.images,
                            "has \(images.dimensions[0]) images but \(paths.labels) has \(labels.dimensions[0]) labels")
        }
        return (images, labels)
    }

    private static func digitNames(for labelFiles: [IDXFile]) -> [String] {
        let largest = labelFiles.compactMap { $0.data.max() }.max().map(Int.init) ?? 0
        return (0..<max(10, largest + 1)).map(String.init)
    }

    private func makeDataset(_ raw: (images: IDXFile, labels: IDXFile), paths: (images: String, labels: String),
                             classNames: [String], scaling: Scaling, layout: Layout) throws -> TensorDataset {
        let labels = try raw.labels.labels(classCount: classNames.count)
        let (rows, columns) = (raw.images.dimensions[1], raw.images.dimensions[2])
        let itemShape = layout == .flat ? [rows * columns] : [1, rows, columns]
        return TensorDataset(bytes: raw.images.data, dividingBy: scaling == .unitInterval ? 255 : 1,
                             inputShape: itemShape, labels: labels, classNames: classNames)
    }
}
