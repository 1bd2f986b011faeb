import KilnRegistry
import KilnTensor

/// Transforms applied in order, from a spec string such as
/// `"random-crop(width=28, height=28, padding=2)|random-flip(axis=horizontal)|random-rotate(degrees=10)"`.
///
/// For each image, every stage draws its ``Warp`` (in stage order, from one generator);
/// consecutive warps are fused and sampled once (see `FusedWarp` rules in the README:
/// one interpolation per run, intermediate frames still clip to the fill). The same
/// generator state gives the same output.
///
/// Seeding per sample and epoch: ``apply(_:seed:epoch:index:)`` seeds the generator with
/// ``sampleSeed(seed:epoch:index:)``, a hash of the three numbers, so two runs agree, two
/// epochs differ, and workers that split the indices never share a stream.
public struct TransformPipeline: Sendable, CustomStringConvertible {
    /// The transforms, in the order they apply.
    public let stages: [any Transform]

    /// A pipeline of `stages`.
    public init(stages: [any Transform]) { self.stages = stages }

    /// Parses `spec` (stages separated by `|`) with the ``transforms`` registry (or another).
    /// An empty or all-blank spec is the identity pipeline.
    public init(_ spec: String, registry: Registry<any Transform> = transforms) throws {
        if spec.allSatisfy(\.isWhitespace) { self.init(stages: []); return }
        self.init(stages: try registry.makePipeline(spec))
    }

    /// Whether any stage draws random numbers.
    public var isRandom: Bool { stages.contains { $0.isRandom } }

    /// The canonical spec: parses back to an equal pipeline.
    public var description: String { stages.map(\.description).joined(separator: "|") }

    /// The output size for an input of `width` x `height`.
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) {
        var size = (width: width, height: height)
        for stage in stages { size = stage.outputSize(width: size.width, height: size.height) }
        return size
    }

    /// The output size for `width` x `height`, checked: throws ``ImageError`` when a stage
    /// cannot apply to the size it receives (a crop window outside the image), or when the
    /// output (or any stage's) has more than `pixelLimit` pixels (default 64 Mpixel), so a
    /// spec like `resize(100000, 100000)` is an error instead of a failed allocation.
    public func checkedOutputSize(width: Int, height: Int, pixelLimit: Int = PNG.defaultPixelLimit) throws(ImageError) -> (width: Int, height: Int) {
        var size = (width: width, height: height)
        for stage in stages {
            try stage.checkInput(width: size.width, height: size.height)
            size = stage.outputSize(width: size.width, height: size.height)
            let (pixels, overflow) = size.width.multipliedReportingOverflow(by: size.height)
            guard !overflow, pixels <= pixelLimit else {
                throw ImageError("'\(stage)' makes a \(size.width)x\(size.height) image, over the limit of \(pixelLimit) pixels")
            }
        }
        return size
    }

    /// Draws every stage's warp for one image of `width` x `height`.
    public func warps(width: Int, height: Int, rng: inout RandomGenerator) -> [Warp] {
        var (w, h) = (width, height)
        var result: [Warp] = []
        result.reserveCapacity(stages.count)
        for stage in stages {
            let warp = stage.warp(width: w, height: h, rng: &rng)
            result.append(warp)
            (w, h) = (warp.outputWidth, warp.outputHeight)
        }
        return result
    }

    /// Applies the pipeline to one image.
    public func apply(_ image: FloatImage, rng: inout RandomGenerator) -> FloatImage {
        let warps = warps(width: image.width, height: image.height, rng: &rng)
        return Self.run(warps, on: image, forceNearest: false)
    }

    /// Applies a deterministic pipeline (random stages draw from a generator seeded 0).
    public func apply(_ image: FloatImage) -> FloatImage {
        var rng = RandomGenerator(seed: 0)
        return apply(image, rng: &rng)
    }

    /// Applies the pipeline to an image and its mask (segmentation labels, weights...)
    /// with one draw: both get the same geometry; the image is sampled with each stage's
    /// interpolation and fill, the mask with nearest neighbour (labels are not blended).
    /// The mask must have the image's width and height (any channel count); else throws.
    public func apply(image: FloatImage, mask: FloatImage, rng: inout RandomGenerator) throws(ImageError) -> (image: FloatImage, mask: FloatImage) {
        guard mask.width == image.width, mask.height == image.height else {
            throw ImageError("mask is \(mask.width)x\(mask.height) but the image is \(image.width)x\(image.height)")
        }
        let warps = warps(width: image.width, height: image.height, rng: &rng)
        return (Self.run(warps, on: image, forceNearest: false), Self.run(warps, on: mask, forceNearest: true))
    }

    /// Applies the pipeline with the generator of sample `index` in `epoch`.
    public func apply(_ image: FloatImage, seed: UInt64, epoch: Int, index: Int) -> FloatImage {
        var rng = RandomGenerator(seed: sampleSeed(seed: seed, epoch: epoch, index: index))
        return apply(image, rng: &rng)
    }

    /// Samples `image` through `warps` (fused runs, one buffer per run).
    static func run(_ warps: [Warp], on image: FloatImage, forceNearest: Bool) -> FloatImage {
        var current = image
        for run in FusedWarp.runs(warps, forceNearest: forceNearest) {
            let count = run.outputWidth * run.outputHeight * current.channels
            let out = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                current.pixels.withUnsafeBufferPointer { src in
                    run.run(source: src.baseAddress!, width: current.width, height: current.height,
                            channels: current.channels, output: buffer.baseAddress!)
                }
                initialized = count
            }
            current = FloatImage(unchecked: run.outputWidth, run.outputHeight, current.channels, out)
        }
        return current
    }
}

/// The generator seed of sample `index` in `epoch` under a run's `seed`: KilnTensor's
/// ``/KilnTensor/mixSeed(_:stream:substream:)`` applied in a chain,
/// `h = mix(mix(mix(seed) ^ epoch) ^ index)` with `mix(x) = mixSeed(x, stream: 0)`.
/// Different (epoch, index) pairs give unrelated streams; the same triple, the same stream.
public func sampleSeed(seed: UInt64, epoch: Int, index: Int) -> UInt64 {
    let epochHash = mixSeed(seed, stream: 0) ^ UInt64(bitPattern: Int64(epoch))
    return mixSeed(mixSeed(epochHash, stream: 0) ^ UInt64(bitPattern: Int64(index)), stream: 0)
}
