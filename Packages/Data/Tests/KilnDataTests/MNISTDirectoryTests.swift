import Testing
@testable import KilnData
import KilnTensor

@Suite struct MNISTDirectoryTests {
    /// Writes a complete MNIST-style directory; `gzip` compresses the files.
    func makeDirectory(gzip: Bool, train: Int = 12, test: Int = 5) throws -> TempDirectory {
        let dir = TempDirectory()
        for (prefix, n) in [("train", train), ("t10k", test)] {
            let (images, labels) = sampleFiles(n: n, rows: 3, columns: 2, classes: 4)
            let suffix = gzip ? ".gz" : ""
            try images.write(to: dir.file("\(prefix)-images-idx3-ubyte\(suffix)"), gzip: gzip)
            try labels.write(to: dir.file("\(prefix)-labels-idx1-ubyte\(suffix)"), gzip: gzip)
        }
        return dir
    }

    @Test(arguments: [false, true])
    func loadsBothParts(gzip: Bool) throws {
        let dir = try makeDirectory(gzip: gzip)
        defer { dir.cleanup() }
        let (train, test) = try MNISTDirectory(path: dir.path).loadTrainAndTest()
        #expect(train.count == 12 && test.count == 5)
        #expect(train.inputShape == [6])
        #expect(train.classNames == (0..<10).map(String.init))
        #expect(train.labels == (0..<12).map { $0 % 4 })
        let (images, _) = sampleFiles(n: 12, rows: 3, columns: 2, classes: 4)
        #expect(train.inputs.scalars == images.data.map { Float($0) / 255 })
        let image = try MNISTDirectory(path: dir.path).load(.test, scaling: .raw, layout: .image)
        #expect(image.inputShape == [1, 3, 2])
        #expect(image.inputs.max() > 1)
    }

    @Test func dottedNamesAreAccepted() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let (images, labels) = sampleFiles(n: 3)
        try images.write(to: dir.file("t10k-images.idx3-ubyte"))
        try labels.write(to: dir.file("t10k-labels.idx1-ubyte"))
        #expect(try MNISTDirectory(path: dir.path).load(.test).count == 3)
    }

    @Test func missingFilesAreListed() throws {
        let dir = try makeDirectory(gzip: true)
        defer { dir.cleanup() }
        dir.remove("t10k-images-idx3-ubyte.gz")
        dir.remove("train-labels-idx1-ubyte.gz")
        let error = dataError { try MNISTDirectory(path: dir.path).loadTrainAndTest() }
        #expect(error?.kind == .missingFile)
        #expect(error?.description == "\(dir.path): missing train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz]; an MNIST-style directory holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each raw or .gz)")
        // The train part alone still misses its labels; nothing about the test files.
        let trainOnly = dataError { try MNISTDirectory(path: dir.path).load(.train) }
        #expect(trainOnly?.description.hasPrefix("\(dir.path): missing train-labels-idx1-ubyte[.gz];") == true)
        let noDirectory = dataError { try MNISTDirectory(path: dir.path + "/nope").load(.test) }
        #expect(noDirectory?.kind == .missingFile)
        #expect(noDirectory?.description.contains("no such directory") == true)
    }

    @Test func countMismatch() throws {
        let dir = try makeDirectory(gzip: false)
        defer { dir.cleanup() }
        try IDXFile(dimensions: [4], data: [0, 1, 2, 3]).write(to: dir.file("t10k-labels-idx1-ubyte"))
        let error = dataError { try MNISTDirectory(path: dir.path).load(.test) }
        #expect(error?.kind == .countMismatch)
        #expect(error?.description == "\(dir.file("t10k-images-idx3-ubyte")): has 5 images but \(dir.file("t10k-labels-idx1-ubyte")) has 4 labels")
    }

    /// Train and test images of different sizes are a data error naming the test file
    /// (they used to reach the model and trap at evaluation).
    @Test func trainAndTestImageSizesMustAgree() throws {
        let dir = try makeDirectory(gzip: false)
        defer { dir.cleanup() }
        let (images, _) = sampleFiles(n: 5, rows: 2, columns: 3, classes: 4)
        try images.write(to: dir.file("t10k-images-idx3-ubyte"))
        let error = dataError { try MNISTDirectory(path: dir.path).loadTrainAndTest() }
        #expect(error?.kind == .badDimensions)
        #expect(error?.description == "\(dir.file("t10k-images-idx3-ubyte")): has 2x3 images but \(dir.file("train-images-idx3-ubyte")) has 3x2 (train and test images must have one size)")
    }

    @Test func labelsOutOfRangeForTheClassNames() throws {
        let dir = try makeDirectory(gzip: true)
        defer { dir.cleanup() }
        let three = MNISTDirectory(path: dir.path, classNames: ["a", "b", "c"])
        let error = dataError { try three.load(.train) }
        #expect(error?.kind == .labelOutOfRange)
        #expect(error?.description == "\(dir.file("train-labels-idx1-ubyte.gz")): label 3 at index 3 is out of range for 3 classes (labels must be 0...2)")
    }

    @Test func filesSwappedByRole() throws {
        let dir = try makeDirectory(gzip: false)
        defer { dir.cleanup() }
        let (images, _) = sampleFiles(n: 5)
        try images.write(to: dir.file("t10k-labels-idx1-ubyte"))
        let error = dataError { try MNISTDirectory(path: dir.path).load(.test) }
        #expect(error?.kind == .badMagic)
        #expect(error?.description.contains("expected an idx1 label file (magic 0x00000801), got an idx3 file (magic 0x00000803)") == true)
    }

    @Test func corruptFileInDirectoryNamesIt() throws {
        let dir = try makeDirectory(gzip: true)
        defer { dir.cleanup() }
        var bytes = try dir.read("train-images-idx3-ubyte.gz")
        bytes = Array(bytes.prefix(bytes.count - 9))
        try dir.write(bytes, to: "train-images-idx3-ubyte.gz")
        let error = dataError { try MNISTDirectory(path: dir.path).load(.train) }
        #expect(error?.kind == .corruptGzip)
        #expect(error?.file == dir.file("train-images-idx3-ubyte.gz"))
    }

    /// The real Fashion-MNIST test set from Debian's dataset-fashion-mnist package
    /// (scripts/setup.sh installs it; CI too). A missing package is a failure, not a skip.
    @Test func fashionMNISTTestSet() throws {
        let fashion = MNISTDirectory.fashionMNIST
        let test: TensorDataset
        do {
            test = try fashion.load(.test)
        } catch {
            Issue.record("Fashion-MNIST is not installed (\(error)); run scripts/setup.sh (apt-get install dataset-fashion-mnist)")
            return
        }
        #expect(test.count == 10_000)
        #expect(test.inputShape == [784])
        #expect(test.classNames == ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"])
        #expect(test.classCounts == [Int](repeating: 1000, count: 10))
        #expect(test.inputs.min() == 0 && test.inputs.max() == 1)
        // Mean pixel intensity of Fashion-MNIST's test set is about 0.2868.
        #expect(abs(test.inputs.mean() - 0.2868) < 0.001)
    }
}
