import KilnData
import KilnTensor
import Synchronization

/// A dataset whose examples go through a random ``TransformPipeline``, drawn afresh per
/// sample and per epoch.
///
/// **Contract (seeding and epochs).** Example `i` in epoch `e` is the base example `i`
/// transformed with a generator seeded by ``sampleSeed(seed:epoch:index:)`` of
/// `(seed, e, i)`. Hence: the same seed gives the same augmented data in every run, whatever
/// the batch composition, order or thread that asks for it; epochs differ; parallel
/// workers splitting the indices never repeat each other's draws. The epoch is state of
/// the dataset: KilnTraining's `Trainer` calls ``setEpoch(_:)``
/// (``/KilnData/EpochAwareDataset``) with
/// the 1-based epoch number at the start of each epoch, in `fit` and after `--resume`
/// (thread-safe; it is a class, so every holder of the `any Dataset` sees it); a loop of
/// your own does the same, or takes a per-epoch copy with ``withEpoch(_:)``. The epoch
/// starts at 0.
///
/// The base inputs are read as images: shape `[C, H, W]` (C in 1, 3, 4), `[H, W]` (gray),
/// or `[N]` with N a perfect square (a flattened gray square image, e.g. `[784]`). The
/// output keeps that form with the pipeline's output size (so `[784]` stays `[784]` under a
/// size-preserving pipeline). Values are transformed as given (`fill` is in the same units,
/// so 0 is black for [0, 1] inputs). Labels and class names are the base's.
///
/// ```swift
/// let train = try AugmentedDataset(base: mnistTrain, pipeline: TransformPipeline(
///     "random-crop(width=28, height=28, padding=2)|random-flip(axis=horizontal)"), seed: 1)
/// for epoch in 0..<10 { train.setEpoch(epoch); /* batches... */ }
/// ```
public final class AugmentedDataset: EpochAwareDataset {
    /// The dataset whose examples are transformed.
    public let base: any Dataset
    /// The transforms applied to every example, in order.
    public let pipeline: TransformPipeline
    /// The run seed; with the epoch and the example's index it seeds each example's draws.
    public let seed: UInt64
    public let inputShape: [Int]
    /// The image form of the base inputs.
    public let channels: Int, height: Int, width: Int
    private let epochState: Mutex<Int>

    /// Wraps `base`. Throws ``ImageError`` when the base input shape is not an image form
    /// or the pipeline's output is over 64 Mpixel.
    public init(base: any Dataset, pipeline: TransformPipeline, seed: UInt64, epoch: Int = 0) throws {
        let shape = base.inputShape
        let (c, h, w): (Int, Int, Int)
        switch shape.count {
        case 3 where [1, 3, 4].contains(shape[0]): (c, h, w) = (shape[0], shape[1], shape[2])
        case 2: (c, h, w) = (1, shape[0], shape[1])
        case 1:
            let side = Int(Double(shape[0]).squareRoot().rounded())
            guard side * side == shape[0] else {
                throw ImageError("input shape \(shape) is not an image: use [C, H, W], [H, W] or a square [H*W]")
            }
            (c, h, w) = (1, side, side)
        default:
            throw ImageError("input shape \(shape) is not an image: use [C, H, W] (C = 1, 3 or 4), [H, W] or a square [H*W]")
        }
        guard h >= 1, w >= 1 else { throw ImageError("input shape \(shape) has an empty side") }
        let out = try pipeline.checkedOutputSize(width: w, height: h)
        self.base = base
        self.pipeline = pipeline
        self.seed = seed
        (channels, height, width) = (c, h, w)
        switch shape.count {
        case 3: inputShape = [c, out.height, out.width]
        case 2: inputShape = [out.height, out.width]
        default: inputShape = [out.height * out.width]
        }
        epochState = Mutex(epoch)
    }

    /// The epoch whose draws ``example(at:)`` and ``batch(_:)`` use.
    public var epoch: Int {
        get { epochState.withLock { $0 } }
        set { epochState.withLock { $0 = newValue } }
    }

    /// Sets ``epoch`` (call at the start of each epoch).
    public func setEpoch(_ epoch: Int) { self.epoch = epoch }

    /// A copy sharing the base and pipeline, at `epoch`.
    public func withEpoch(_ epoch: Int) -> AugmentedDataset {
        AugmentedDataset(base: base, pipeline: pipeline, seed: seed, shape: inputShape,
                         channels: channels, height: height, width: width, epoch: epoch)
    }

    private init(base: any Dataset, pipeline: TransformPipeline, seed: UInt64, shape: [Int],
                 channels: Int, height: Int, width: Int, epoch: Int) {
        self.base = base
        self.pipeline = pipeline
        self.seed = seed
        self.inputShape = shape
        (self.channels, self.height, self.width) = (channels, height, width)
        epochState = Mutex(epoch)
    }

    public var count: Int { base.count }
    public var classNames: [String] { base.classNames }

    public func example(at index: Int) -> (input: Tensor, label: Int) {
        let (x, y) = base.example(at: index)
        return (transform(x, indices: [index], epoch: epoch), y)
    }

    /// The base batch, each row transformed with its own (seed, epoch, index) generator.
    public func batch(_ indices: [Int]) -> (inputs: Tensor, labels: [Int]) {
        let (x, y) = base.batch(indices)
        return (transform(x, indices: indices, epoch: epoch), y)
    }

    /// Transforms `rows.count` stacked images in place of a new tensor, with no allocation
    /// per image beyond the warp list (one scratch buffer for multi-run pipelines).
    private func transform(_ inputs: Tensor, indices: [Int], epoch: Int) -> Tensor {
        let n = indices.count
        let inCount = channels * height * width
        let outShape = [n] + inputShape
        let outCount = inputShape.reduce(1, *)
        var scratchA: [Float] = [], scratchB: [Float] = []
        return Tensor(shape: outShape, unsafeUninitialized: { out in
            inputs.withUnsafeBufferPointer { src in
                for (row, index) in indices.enumerated() {
                    var rng = RandomGenerator(seed: sampleSeed(seed: seed, epoch: epoch, index: index))
                    let warps = pipeline.warps(width: width, height: height, rng: &rng)
                    let source = src.baseAddress! + row * inCount
                    let target = out.baseAddress! + row * outCount
                    if warps.isEmpty {
                        target.update(from: source, count: inCount)
                        continue
                    }
                    let runs = FusedWarp.runs(warps)
                    if runs.count == 1 {
                        runs[0].run(source: source, width: width, height: height, channels: channels, output: target)
                        continue
                    }
                    // Several runs: ping-pong through scratch buffers, the last into the output.
                    var (w, h) = (width, height)
                    var current = Array(UnsafeBufferPointer(start: source, count: inCount))
                    for (k, run) in runs.enumerated() {
                        if k == runs.count - 1 {
                            current.withUnsafeBufferPointer { c in
                                run.run(source: c.baseAddress!, width: w, height: h, channels: channels, output: target)
                            }
                        } else {
                            let size = run.outputWidth * run.outputHeight * channels
                            if scratchA.count < size { scratchA = [Float](repeating: 0, count: size) }
                            scratchA.withUnsafeMutableBufferPointer { s in
                                current.withUnsafeBufferPointer { c in
                                    run.run(source: c.baseAddress!, width: w, height: h, channels: channels, output: s.baseAddress!)
                                }
                            }
                            swap(&scratchA, &scratchB)
                            current = Array(scratchB[0..<size])
                            (w, h) = (run.outputWidth, run.outputHeight)
                        }
                    }
                }
            }
        })
    }
}

extension Dataset {
    /// This dataset through a random pipeline (see ``AugmentedDataset``).
    public func augmented(_ pipeline: TransformPipeline, seed: UInt64) throws -> AugmentedDataset {
        try AugmentedDataset(base: self, pipeline: pipeline, seed: seed)
    }
}
