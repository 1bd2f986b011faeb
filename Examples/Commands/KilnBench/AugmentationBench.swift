#if canImport(KilnAugmentation)
import ArgumentParser
import KilnAugmentation
import KilnData
import KilnTensor

// kiln-bench cases for KilnAugmentation (`kiln-bench augment`, `kiln-bench png-decode`).
// Needs KilnAugmentation and KilnData in kiln-bench's dependencies and both commands in
// the subcommands list of KilnBench.

/// The images both cases use: the first `count` Fashion-MNIST test images when Debian's
/// files are installed, else deterministic synthetic 28x28 patterns (said in the output).
func benchImages(count: Int) -> (images: [Image], source: String) {
    if let test = try? MNISTDirectory.fashionMNIST.load(.test, scaling: .raw), test.count > 0 {
        let scalars = test.inputs.scalars
        let images = (0..<count).map { i -> Image in
            let k = i % test.count
            return try! Image(width: 28, height: 28, channels: 1, pixels: scalars[(k * 784)..<((k + 1) * 784)].map { UInt8($0) })
        }
        return (images, "fashion-mnist test")
    }
    var rng = RandomGenerator(seed: 1)
    let images = (0..<count).map { _ -> Image in
        let (cx, cy, r) = (rng.uniform(8, 20), rng.uniform(8, 20), rng.uniform(4, 10))
        var pixels = [UInt8](repeating: 0, count: 784)
        for y in 0..<28 { for x in 0..<28 {
            let d = ((Float(x) - cx) * (Float(x) - cx) + (Float(y) - cy) * (Float(y) - cy)).squareRoot()
            pixels[y * 28 + x] = d < r ? UInt8(min(255, 120 + rng.int(below: 136))) : 0
        } }
        return try! Image(width: 28, height: 28, channels: 1, pixels: pixels)
    }
    return (images, "synthetic discs")
}

struct AugmentBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "augment",
        abstract: "Random augmentation pipeline throughput on 28x28 gray images (images/s, one core).")

    @OptionGroup var options: CommonOptions

    @Option(help: "The pipeline spec.")
    var ops = "random-crop(width=28, height=28, padding=2)|random-flip(axis=horizontal)|random-rotate(degrees=10)|random-scale(min=0.9, max=1.1)"

    @Option(help: "Images per timed sample.")
    var count = 20_000

    @Option(help: "Batch size of AugmentedDataset.batch calls.")
    var batchSize = 128

    func validate() throws {
        guard count >= 1, batchSize >= 1 else { throw ValidationError("--count and --batch-size must be >= 1") }
    }

    func run() throws {
        BLAS.threadCount = options.threads
        let pipeline: TransformPipeline
        do { pipeline = try TransformPipeline(ops) } catch { throw ValidationError("--ops: \(error)") }
        let (images, source) = benchImages(count: count)
        let inputs = Tensor(shape: [count, 784], scalars: images.flatMap { FloatImage($0).pixels })
        let base = TensorDataset(inputs: inputs, labels: [Int](repeating: 0, count: count), classNames: ["x"])
        let augmented = try AugmentedDataset(base: base, pipeline: pipeline, seed: 1)
        let batches = stride(from: 0, to: count, by: batchSize).map { Array($0..<min($0 + batchSize, count)) }
        var epoch = 0
        var checksum: Float = 0
        let time = measure(samples: options.samples) {
            augmented.setEpoch(epoch)
            epoch += 1
            for b in batches { checksum += augmented.batch(b).inputs.scalars[0] }
        }
        // The same images gathered without augmentation: the batching cost alone.
        let plain = measure(samples: options.samples) {
            for b in batches { checksum += base.batch(b).inputs.scalars[0] }
        }
        let rate = Double(count) / time.median
        if options.json {
            print(jsonLine([("case", "augment"), ("images", count), ("source", source), ("images_per_s", rate),
                            ("images_per_s_best", Double(count) / time.best), ("batch_only_images_per_s", Double(count) / plain.median),
                            ("threads", options.threads), ("pipeline", ops)]))
        } else {
            print("augment (\(source), \(count) images, batches of \(batchSize), median of \(options.samples)): \(Int(rate)) images/s"
                + " (best \(Int(Double(count) / time.best)); batching alone \(Int(Double(count) / plain.median)) images/s) [\(checksum.isFinite ? "ok" : "nan")]")
        }
    }
}

struct PNGDecodeBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "png-decode",
        abstract: "PNG decoding throughput for 28x28 gray images from memory (images/s, one core).")

    @OptionGroup var options: CommonOptions

    @Option(help: "Distinct PNG files decoded per timed sample.")
    var count = 10_000

    func validate() throws { guard count >= 1 else { throw ValidationError("--count must be >= 1") } }

    func run() throws {
        let (images, source) = benchImages(count: count)
        let files = try images.map { try PNG.encode($0) }
        let bytes = files.reduce(0) { $0 + $1.count }
        var total = 0
        let time = measure(samples: options.samples) {
            for file in files { total &+= (try? PNG.decode(file, channels: 1))?.pixels.count ?? 0 }
        }
        let encode = measure(samples: max(1, options.samples / 3)) {
            for image in images { total &+= (try? PNG.encode(image))?.count ?? 0 }
        }
        let rate = Double(count) / time.median
        if options.json {
            print(jsonLine([("case", "png-decode"), ("images", count), ("source", source), ("mean_file_bytes", Double(bytes) / Double(count)),
                            ("images_per_s", rate), ("images_per_s_best", Double(count) / time.best),
                            ("encode_images_per_s", Double(count) / encode.median), ("threads", 1)]))
        } else {
            print("png-decode (\(source), \(count) files, mean \(bytes / count) bytes, median of \(options.samples)): \(Int(rate)) images/s"
                + " (best \(Int(Double(count) / time.best))); encode \(Int(Double(count) / encode.median)) images/s [\(total > 0 ? "ok" : "?")]")
        }
    }
}
#endif
