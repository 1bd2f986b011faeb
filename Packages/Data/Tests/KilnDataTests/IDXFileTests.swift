import CZlib
import Testing
@testable import KilnData
import KilnTensor

@Suite struct IDXFileTests {
    @Test(arguments: [false, true])
    func roundTripThroughFiles(gzip: Bool) throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let (images, labels) = sampleFiles(n: 7)
        if gzip {
            dir.writeGzip(images.encoded(), to: "images.gz")
            dir.writeGzip(labels.encoded(), to: "labels.gz")
        } else {
            try dir.write(images.encoded(), to: "images")
            try dir.write(labels.encoded(), to: "labels")
        }
        let readImages = try IDXFile(contentsOf: dir.file(gzip ? "images.gz" : "images"))
        let readLabels = try IDXFile(contentsOf: dir.file(gzip ? "labels.gz" : "labels"))
        #expect(readImages.dimensions == [7, 3, 2])
        #expect(readImages.data == images.data)
        #expect(readImages.magic == 0x0000_0803)
        #expect(readLabels.dimensions == [7])
        #expect(readLabels.magic == 0x0000_0801)
        #expect(try readLabels.labels(classCount: 3) == (0..<7).map { $0 % 3 })
    }

    @Test func writeAndReadOwnGzip() throws {
        let dir = TempDirectory()
        defer { dir.cleanup() }
        let (images, _) = sampleFiles(n: 50, rows: 5, columns: 4)
        try images.write(to: dir.file("a.gz"), gzip: true)
        let bytes = try dir.read("a.gz")
        #expect(bytes.prefix(2) == [0x1F, 0x8B])
        let back = try IDXFile(contentsOf: dir.file("a.gz"))
        #expect(back.data == images.data && back.dimensions == images.dimensions)
    }

    @Test func concatenatedGzipMembersAndZeroPadding() throws {
        let (images, _) = sampleFiles(n: 10)
        let raw = images.encoded()
        let first = try Gzip.deflate(Array(raw[0..<20]), name: "x")
        let second = try Gzip.deflate(Array(raw[20...]), name: "x")
        let file = try IDXFile.parse(bytes: first + second + [0, 0, 0], name: "two-members.gz")
        #expect(file.data == images.data)
    }

    @Test func tensorScalesToUnitInterval() {
        let file = IDXFile(dimensions: [2, 1, 2], data: [0, 255, 51, 102])
        let t = file.tensor(dividingBy: 255, itemShape: [2])
        #expect(t.shape == [2, 2])
        #expect(t.scalars == [0, 1, 51 / 255, 102 / 255])
        #expect(file.tensor().shape == [2, 1, 2])
    }

    // MARK: Errors (each names the file and says what is wrong)

    @Test func badMagicIsNotGzipAndNotIDX() {
        let error = dataError { try IDXFile.parse(bytes: Array("PK\u{3}\u{4}hello".utf8), name: "train-images-idx3-ubyte") }
        #expect(error?.kind == .badMagic)
        #expect(error?.description == "train-images-idx3-ubyte: not gzip and not IDX (magic 0x504b0304)")
    }

    @Test func unsupportedElementTypeAndRankZero() {
        let float = dataError { try IDXFile.parse(bytes: idxBytes(type: 0x0D, dimensions: [1], data: [0, 0, 0, 0]), name: "f") }
        #expect(float?.kind == .badMagic)
        #expect(float?.description.contains("0xd (32-bit float) is not supported") == true)
        let unknown = dataError { try IDXFile.parse(bytes: idxBytes(type: 0x42, dimensions: [1], data: [0]), name: "f") }
        #expect(unknown?.kind == .badMagic)
        let rank0 = dataError { try IDXFile.parse(bytes: [0, 0, 8, 0, 1, 2], name: "f") }
        #expect(rank0?.kind == .badDimensions)
    }

    @Test func shortData() {
        let error = dataError {
            try IDXFile.parse(bytes: idxBytes(dimensions: [60000], data: [UInt8](repeating: 1, count: 59999)),
                              name: "train-labels-idx1-ubyte.gz")
        }
        #expect(error?.kind == .truncated)
        #expect(error?.description == "train-labels-idx1-ubyte.gz: truncated: header says 60000 values, file has 59999")
        let images = dataError { try IDXFile.parse(bytes: idxBytes(dimensions: [2, 2, 2], data: [1, 2, 3]), name: "i") }
        #expect(images?.description == "i: truncated: header says 2 x 2 x 2 = 8 bytes of data, file has 3")
    }

    @Test func truncatedHeaderAndEmptyFile() {
        #expect(dataError { try IDXFile.parse(bytes: [], name: "e") }?.description == "e: empty file")
        #expect(dataError { try IDXFile.parse(bytes: [0, 0, 8], name: "h") }?.kind == .truncated)
        let header = dataError { try IDXFile.parse(bytes: [0, 0, 8, 3, 0, 0, 0, 1, 0, 0], name: "h") }
        #expect(header?.kind == .truncated)
        #expect(header?.description == "h: truncated header: rank 3 needs 16 header bytes, the file has 10")
    }

    @Test func dataLongerThanHeader() {
        let error = dataError { try IDXFile.parse(bytes: idxBytes(dimensions: [3], data: [1, 2, 3, 4]), name: "l") }
        #expect(error?.kind == .tooLong)
        #expect(error?.description == "l: too long: header says 3 values, file has 4 bytes of data")
    }

    @Test func zeroDimension() {
        let error = dataError { try IDXFile.parse(bytes: idxBytes(dimensions: [5, 0, 28], data: []), name: "z") }
        #expect(error?.kind == .badDimensions)
        #expect(error?.description.contains("dimension 2 of 3 is 0") == true)
    }

    @Test func dimensionsOverTheLimitOrOverflowing() {
        let big = dataError { try IDXFile.parse(bytes: idxBytes(dimensions: [1000, 1000], data: []), name: "b", maximumDataSize: 999_999) }
        #expect(big?.kind == .badDimensions)
        let overflow = dataError {
            try IDXFile.parse(bytes: idxBytes(dimensions: [.max, .max, .max, .max, .max], data: []), name: "o")
        }
        #expect(overflow?.kind == .badDimensions)
    }

    @Test func gzipBombStopsAtTheHeaderSize() throws {
        // The header announces 10 values; the stream inflates to 50 MB of zeros. Reading
        // must stop at the first chunk beyond 10 values, not inflate everything.
        var content = idxBytes(dimensions: [10], data: [])
        content += [UInt8](repeating: 0, count: 50_000_000)
        let bomb = try Gzip.deflate(content, level: 9, name: "bomb")
        #expect(bomb.count < 100_000)
        let error = dataError { try IDXFile.parse(bytes: bomb, name: "bomb.gz") }
        #expect(error?.kind == .tooLong)
        #expect(error?.description == "bomb.gz: too long: header says 10 values, the decompressed data holds more")
    }

    @Test func corruptGzipFlippedBytes() throws {
        let (images, _) = sampleFiles(n: 200, rows: 8, columns: 8)
        let good = try Gzip.deflate(images.encoded(), name: "g")
        var flipped = good
        for i in stride(from: 20, to: good.count - 10, by: 7) { flipped[i] ^= 0x5A }
        let error = dataError { try IDXFile.parse(bytes: flipped, name: "bad.gz") }
        #expect(error?.kind == .corruptGzip || error?.kind == .truncated || error?.kind == .tooLong || error?.kind == .badMagic)
        #expect(error?.description.hasPrefix("bad.gz: ") == true)
        // A single flipped bit in the CRC-32 trailer is caught by zlib's check.
        var crc = good
        crc[crc.count - 6] ^= 1
        let crcError = dataError { try IDXFile.parse(bytes: crc, name: "crc.gz") }
        #expect(crcError?.kind == .corruptGzip)
        #expect(crcError?.description == "crc.gz: corrupt gzip: incorrect data check")
    }

    @Test func corruptGzipTruncated() throws {
        let (images, _) = sampleFiles(n: 200, rows: 8, columns: 8)
        let good = try Gzip.deflate(images.encoded(), name: "g")
        for cut in [3, 11, good.count / 2, good.count - 1] {
            let error = dataError { try IDXFile.parse(bytes: Array(good.prefix(cut)), name: "cut.gz") }
            #expect(error?.kind == .corruptGzip, "cut at \(cut): \(String(describing: error))")
        }
        let trailing = dataError { try IDXFile.parse(bytes: good + [1, 2, 3], name: "t.gz") }
        #expect(trailing?.description == "t.gz: corrupt gzip: 3 bytes of trailing data after the gzip stream")
    }

    @Test func gzipOfSomethingElse() throws {
        let gz = try Gzip.deflate(Array("hello, world".utf8), name: "x")
        let error = dataError { try IDXFile.parse(bytes: gz, name: "x.gz") }
        #expect(error?.kind == .badMagic)
        #expect(error?.description.contains("gzip content is not IDX") == true)
    }

    @Test func labelsOutOfRange() throws {
        let file = IDXFile(dimensions: [4], data: [0, 9, 10, 3], name: "labels")
        let error = dataError { try file.labels(classCount: 10) }
        #expect(error?.kind == .labelOutOfRange)
        #expect(error?.description == "labels: label 10 at index 2 is out of range for 10 classes (labels must be 0...9)")
        #expect(try file.labels(classCount: 11) == [0, 9, 10, 3])
        let images = IDXFile(dimensions: [1, 2], data: [0, 1], name: "img")
        #expect(dataError { try images.labels() }?.kind == .badMagic)
    }

    @Test func missingAndUnreadableFiles() {
        let missing = dataError { try IDXFile(contentsOf: "/nonexistent/kiln/file.gz") }
        #expect(missing?.kind == .missingFile)
        #expect(missing?.description == "/nonexistent/kiln/file.gz: no such file")
        let directory = dataError { try IDXFile(contentsOf: "/tmp") }
        #expect(directory?.kind == .unreadable)
    }

    /// Random damage never traps: every mutated file either parses or throws a DataError.
    @Test(arguments: [false, true])
    func mutationsNeverTrap(gzip: Bool) throws {
        let (images, _) = sampleFiles(n: 20, rows: 4, columns: 4)
        let good = gzip ? try Gzip.deflate(images.encoded(), name: "g") : images.encoded()
        var rng = RandomGenerator(seed: 7)
        var failures = 0
        for _ in 0..<300 {
            var bytes = good
            switch rng.int(below: 3) {
            case 0: for _ in 0...rng.int(below: 4) { bytes[rng.int(below: bytes.count)] = UInt8(rng.int(below: 256)) }
            case 1: bytes = Array(bytes.prefix(rng.int(below: bytes.count)))
            default: bytes.insert(UInt8(rng.int(below: 256)), at: rng.int(below: bytes.count))
            }
            do {
                let file = try IDXFile.parse(bytes: bytes, name: "m")
                #expect(file.data.count == file.dimensions.reduce(1, *))
            } catch is DataError {
                failures += 1
            }
        }
        #expect(failures > 0)
    }
}
