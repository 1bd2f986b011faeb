import Foundation
import KilnData
import KilnRegistry
import KilnTensor
import Testing
import _KilnTestSupport
@testable import KilnAugmentation

/// A gray image whose pixel (x, y) is `value(x, y)`.
func grayImage(_ w: Int, _ h: Int, _ value: (Int, Int) -> Float) -> FloatImage {
    var pixels = [Float](repeating: 0, count: w * h)
    for y in 0..<h { for x in 0..<w { pixels[y * w + x] = value(x, y) } }
    return try! FloatImage(width: w, height: h, channels: 1, pixels: pixels)
}

func rows(_ image: FloatImage, channel: Int = 0) -> [[Float]] {
    (0..<image.height).map { y in (0..<image.width).map { x in image[x: x, y: y, c: channel] } }
}

func make(_ spec: String) throws -> any Transform { try transforms.make(spec) }

@Suite struct DeterministicTransformTests {
    let grid = grayImage(3, 3) { x, y in Float(y * 3 + x) }   // [[0,1,2],[3,4,5],[6,7,8]]

    @Test func flipsAreExact() throws {
        #expect(rows(try make("flip").apply(grid)) == [[2, 1, 0], [5, 4, 3], [8, 7, 6]])
        #expect(rows(try make("flip(axis=vertical)").apply(grid)) == [[6, 7, 8], [3, 4, 5], [0, 1, 2]])
    }

    @Test func cropsAreExact() throws {
        #expect(rows(try make("crop(x=1, y=0, width=2, height=2)").apply(grid)) == [[1, 2], [4, 5]])
        #expect(rows(try make("crop(1, 1, 2, 1)").apply(grid)) == [[4, 5]])
        #expect(rows(try make("crop(x=2, y=2, width=2, height=2)").apply(grid)) == [[8, 0], [0, 0]])   // outside reads 0
        #expect(rows(try make("center-crop(width=1, height=1)").apply(grid)) == [[4]])
        let four = grayImage(4, 4) { x, y in Float(y * 4 + x) }
        #expect(rows(try make("center-crop(width=2, height=3)").apply(four)) == [[1, 2], [5, 6], [9, 10]])
        #expect(rows(try make("center-crop(width=5, height=3)").apply(grid)) == [[0, 0, 1, 2, 0], [0, 3, 4, 5, 0], [0, 6, 7, 8, 0]])
    }

    @Test(arguments: ["nearest", "bilinear"])
    func quarterTurnsAreExact(interpolation: String) throws {
        // Counter-clockwise on screen: the top-right corner moves to the top-left.
        #expect(rows(try make("rotate(degrees=90, interpolation=\(interpolation))").apply(grid)) == [[2, 5, 8], [1, 4, 7], [0, 3, 6]])
        #expect(rows(try make("rotate(degrees=-90, interpolation=\(interpolation))").apply(grid)) == [[6, 3, 0], [7, 4, 1], [8, 5, 2]])
        #expect(rows(try make("rotate(degrees=180, interpolation=\(interpolation))").apply(grid)) == [[8, 7, 6], [5, 4, 3], [2, 1, 0]])
        let four = grayImage(4, 4) { x, y in Float(y * 4 + x) }
        let turned = try make("rotate(degrees=450, interpolation=\(interpolation))").apply(four)
        #expect(rows(turned) == [[3, 7, 11, 15], [2, 6, 10, 14], [1, 5, 9, 13], [0, 4, 8, 12]])
    }

    @Test func bilinearZoomOnAGradient() throws {
        // v = x on 4x4; zoom 2 about x = 1.5: output X reads 1.5 + (X - 1.5) / 2.
        let ramp = grayImage(4, 4) { x, _ in Float(x) }
        let zoomed = try make("scale(factor=2)").apply(ramp)
        for row in rows(zoomed) { #expect(row == [0.75, 1.25, 1.75, 2.25]) }
        // Shrinking by 2: X reads 1.5 + 2 (X - 1.5) = -1.5, 0.5, 2.5, 4.5; outside is fill 0,
        // a tap half outside blends with it.
        let shrunk = try make("scale(factor=0.5)").apply(ramp)
        #expect(rows(shrunk)[1] == [0, 0.5, 2.5, 0])
        #expect(rows(shrunk)[0] == [0, 0, 0, 0])   // y reads -1.5: outside
    }

    @Test func bilinearRotationMatchesHandComputation() throws {
        // v = x + 10 y on 5x5, rotation by 30 degrees about (2, 2): output (X, Y) reads
        // (2 + cos(X-2) - sin(Y-2), 2 + sin(X-2) + cos(Y-2)); bilinear is exact on a plane
        // where all four taps are inside.
        let plane = grayImage(5, 5) { x, y in Float(x + 10 * y) }
        let out = try make("rotate(degrees=30)").apply(plane)
        let (s, c) = (Float(0.5), Float(0.75).squareRoot())
        for (X, Y) in [(2, 2), (1, 2), (3, 1), (2, 3)] {
            let sx = 2 + c * Float(X - 2) - s * Float(Y - 2), sy = 2 + s * Float(X - 2) + c * Float(Y - 2)
            expectClose(out[x: X, y: Y, c: 0], sx + 10 * sy, relativeTolerance: 1e-5, absoluteTolerance: 1e-4)
        }
        // Corner (0, 0) reads (2 - c*2 + s*2, 2 - 2s - 2c) = (1.27, -0.73): taps at y = -1 read 0.
        let sx = 2 - 2 * c + 2 * s, sy = 2 - 2 * s - 2 * c
        let wy = sy + 1   // weight of row 0
        expectClose(out[x: 0, y: 0, c: 0], wy * sx, relativeTolerance: 1e-5, absoluteTolerance: 1e-4)
    }

    @Test func resizeUsesHalfPixelCentres() throws {
        let two = grayImage(2, 1) { x, _ in Float(x) }
        #expect(rows(try make("resize(width=4, height=1)").apply(two)) == [[0, 0.25, 0.75, 1]])
        let four = grayImage(4, 1) { x, _ in Float(x) }
        #expect(rows(try make("resize(width=2, height=1)").apply(four)) == [[0.5, 2.5]])
        #expect(try make("resize(width=4, height=1)").apply(four) == four)
    }

    @Test func fillValueAndNearest() throws {
        let ones = grayImage(3, 3) { _, _ in 1 }
        let out = try make("scale(factor=0.5, interpolation=nearest, fill=9)").apply(ones)
        // X reads 1 + 2 (X - 1) = -1, 1, 3: only the centre column/row is inside.
        #expect(rows(out) == [[9, 9, 9], [9, 1, 9], [9, 9, 9]])
    }

    @Test func channelsAreTransformedAlike() throws {
        var pixels = [Float](repeating: 0, count: 3 * 6)
        for i in pixels.indices { pixels[i] = Float(i) }
        let rgb = try FloatImage(width: 3, height: 2, channels: 3, pixels: pixels)
        let flipped = try make("flip").apply(rgb)
        #expect(rows(flipped, channel: 0) == [[2, 1, 0], [5, 4, 3]])
        #expect(rows(flipped, channel: 2) == [[14, 13, 12], [17, 16, 15]])
    }
}

@Suite struct RandomTransformTests {
    @Test(arguments: ["constant", "edge", "reflect"])
    func randomCropIsAWindowOfThePaddedImage(mode: String) throws {
        let row = grayImage(3, 1) { x, _ in Float(x + 1) }   // [1, 2, 3]
        let padded: [Float] = switch mode {
        case "constant": [0, 0, 1, 2, 3, 0, 0]
        case "edge": [1, 1, 1, 2, 3, 3, 3]
        default: [3, 2, 1, 2, 3, 2, 1]
        }
        let crop = try make("random-crop(width=5, height=1, padding=2, padding_mode=\(mode))")
        var seen = Set<Int>()
        var rng = RandomGenerator(seed: 1)
        for _ in 0..<200 {
            let out = rows(crop.apply(row, rng: &rng))
            let window = out[0]
            if mode == "constant", window == [0, 0, 0, 0, 0] { continue }   // a row of vertical padding
            let offsets = (0...2).filter { Array(padded[$0..<($0 + 5)]) == window }
            #expect(!offsets.isEmpty, "\(window) is no window of \(padded)")
            seen.formUnion(offsets)
        }
        #expect(seen == [0, 1, 2])
    }

    @Test func randomFlipFlipsAboutHalfTheTime() throws {
        let image = grayImage(2, 1) { x, _ in Float(x) }
        let flip = try make("random-flip")
        var rng = RandomGenerator(seed: 5)
        var flips = 0
        for _ in 0..<1000 { if rows(flip.apply(image, rng: &rng)) == [[1, 0]] { flips += 1 } }
        #expect((430...570).contains(flips))
        var never = 0
        for _ in 0..<100 { if rows(try make("random-flip(p=0)").apply(image, rng: &rng)) == [[1, 0]] { never += 1 } }
        #expect(never == 0)
    }

    @Test func randomRotateAndScaleStayInRange() throws {
        var rng = RandomGenerator(seed: 9)
        let rotate = RandomRotate(degrees: 10)
        let scale = RandomScale(min: 0.9, max: 1.1)
        for _ in 0..<200 {
            let w = rotate.warp(width: 5, height: 5, rng: &rng)
            let angle = atan2(w.d, w.a) * 180 / .pi
            #expect(abs(angle) <= 10)
            let s = scale.warp(width: 5, height: 5, rng: &rng)
            #expect((1 / 1.1 - 1e-12...1 / 0.9 + 1e-12).contains(s.a))
        }
    }

    @Test func pipelineIsDeterministicPerSampleAndEpoch() throws {
        let pipeline = try TransformPipeline("random-crop(width=28, height=28, padding=2)|random-flip(axis=horizontal)|random-rotate(degrees=10)|random-scale(min=0.9, max=1.1)")
        let image = grayImage(28, 28) { x, y in Float((x * 7 + y * 3) % 11) / 10 }
        let a = pipeline.apply(image, seed: 42, epoch: 0, index: 3)
        #expect(a == pipeline.apply(image, seed: 42, epoch: 0, index: 3))
        #expect(a != pipeline.apply(image, seed: 42, epoch: 1, index: 3))
        #expect(a != pipeline.apply(image, seed: 42, epoch: 0, index: 4))
        #expect(a != pipeline.apply(image, seed: 43, epoch: 0, index: 3))
        let seeds = Set((0..<1000).map { sampleSeed(seed: 1, epoch: $0 % 10, index: $0 / 10) })
        #expect(seeds.count == 1000)
        // Pinned (the formula computed outside Swift): a saved run's augmentation stays.
        #expect(sampleSeed(seed: 1, epoch: 3, index: 5) == 0xE86F_F3A5_0EE6_8F8B)
    }

    @Test func jointImageAndMaskShareOneDraw() throws {
        let pipeline = try TransformPipeline("random-crop(width=6, height=6, padding=2)|random-flip|random-rotate(degrees=30)")
        let image = grayImage(6, 6) { x, y in Float(y * 6 + x) }
        var rng = RandomGenerator(seed: 11)
        for _ in 0..<20 {
            var copy = rng
            let (out, mask) = try pipeline.apply(image: image, mask: image, rng: &rng)
            #expect(out == pipeline.apply(image, rng: &copy))     // the image as if alone
            #expect(copy.state == rng.state)                     // one draw for both
            for v in mask.pixels { #expect(v == v.rounded() && v >= 0 && v < 36) }   // labels not blended
        }
        let geometryOnly = try TransformPipeline("random-crop(width=6, height=6, padding=2)|random-flip")
        let (out, mask) = try geometryOnly.apply(image: image, mask: image, rng: &rng)
        #expect(out == mask)
        #expect(throws: ImageError.self) { try pipeline.apply(image: image, mask: grayImage(5, 6) { _, _ in 0 }, rng: &rng) }
    }
}

@Suite struct FusionTests {
    @Test func fusedCropAndFlipEqualSequential() throws {
        let image = grayImage(5, 4) { x, y in Float(y * 5 + x) }
        let pipeline = try TransformPipeline("crop(x=1, y=1, width=3, height=2)|flip|flip(axis=vertical)")
        let sequential = try make("flip(axis=vertical)").apply(try make("flip").apply(try make("crop(1, 1, 3, 2)").apply(image)))
        #expect(pipeline.apply(image) == sequential)
        #expect(rows(sequential) == [[13, 12, 11], [8, 7, 6]])
    }

    @Test func intermediateFramesClipToFill() throws {
        // Crop the left 2 columns, then shift back via a quarter turn pair: pixels that were
        // cropped away must not come back.
        let image = grayImage(4, 4) { _, _ in 1 }
        let pipeline = try TransformPipeline("crop(x=0, y=0, width=2, height=4)|center-crop(width=4, height=4)")
        #expect(rows(pipeline.apply(image)) == Array(repeating: [0, 1, 1, 0], count: 4))
        let rotated = try TransformPipeline("crop(0, 0, 2, 2)|rotate(degrees=45)|rotate(degrees=-45)").apply(image)
        #expect(rotated.width == 2)
    }

    @Test func edgePaddingStartsANewRun() throws {
        let runs = FusedWarp.runs(try TransformPipeline("rotate(10)|random-crop(4, 4, 1, edge)|flip|resize(3, 3)|flip")
            .warps(width: 4, height: 4, rng: &RandomGeneratorBox.rng))
        #expect(runs.count == 3)
        #expect(runs.map(\.checks.count) == [0, 1, 1])
    }
}

enum RandomGeneratorBox { nonisolated(unsafe) static var rng = RandomGenerator(seed: 0) }

@Suite struct TransformRegistryTests {
    static let examples = [
        "crop(x=1, y=2, width=3, height=4)", "center-crop(width=3, height=2)",
        "random-crop(width=28, height=28, padding=2, padding_mode=reflect)", "flip(axis=vertical)",
        "random-flip(axis=horizontal, p=0.25)", "rotate(degrees=12.5, interpolation=nearest, fill=0.5)",
        "random-rotate(degrees=10, interpolation=bilinear, fill=0)", "scale(factor=1.2, interpolation=bilinear, fill=0)",
        "random-scale(min=0.9, max=1.1, interpolation=bilinear, fill=0)", "resize(width=7, height=5)",
        "random-erasing(p=0.25, min_area=0.05, max_area=0.2, min_ratio=0.5, max_ratio=2, value=0.5)",
    ]

    @Test func everyBuiltInHasAnExample() {
        let names = Set(Self.examples.map { String($0.prefix { $0 != "(" }) })
        // The built-ins alone (other tests register transforms of their own in `transforms`).
        let builtIns = Registry<any Transform>(kind: "transform")
        registerBuiltInTransforms(in: builtIns)
        #expect(names == Set(builtIns.names))
    }

    @Test(arguments: examples)
    func conformsAndPrintsItsSpec(spec: String) throws {
        let transform = try make(spec)
        #expect(transform.description == spec)
        try TransformConformance.check(transform)
    }

    @Test(arguments: [
        ("rotat(degrees=3)", "rotat"), ("rotate", "degrees"), ("rotate(degrees=3, angle=4)", "angle"),
        ("random-flip(p=2)", "p"), ("flip(axis=diagonal)", "axis"), ("crop(1, 2, 0, 4)", "width"),
        ("random-scale(min=1.2, max=1.1)", "max"), ("scale(factor=0)", "factor"),
        ("random-crop(width=28, height=28, padding_mode=wrap)", "padding_mode"), ("resize(width=4.5, height=2)", "width"),
        ("random-rotate(degrees=-3)", "degrees"), ("rotate(degrees=inf)", "degrees"), ("random-crop(28, 28, -1)", "padding"),
        ("random-erasing(p=1.5)", "p"), ("random-erasing(min_area=0.3, max_area=0.1)", "max_area"),
        ("random-erasing(max_area=2)", "max_area"), ("random-erasing(min_ratio=0)", "min_ratio"), ("random-erasing(value=nan)", "value"),
    ])
    func badSpecsAreOneLineErrors(spec: String, mentions: String) {
        do {
            _ = try TransformPipeline(spec)
            Issue.record("\(spec) was accepted")
        } catch {
            let text = "\(error)"
            #expect(!text.contains("\n"))
            #expect(text.contains(mentions), "\(text)")
        }
    }

    /// A crop window outside the image is an error of the checked pipeline (what the
    /// examples and AugmentedDataset use), not a silently padded result.
    @Test(arguments: [
        ("crop(x=0, y=0, width=9, height=4)", true), ("crop(x=2, y=1, width=6, height=4)", false), ("crop(x=3, y=1, width=6, height=4)", true),
        ("crop(x=-1, y=0, width=3, height=3)", true), ("center-crop(width=9, height=5)", true),
        ("random-crop(width=13, height=5, padding=2)", true), ("random-crop(width=12, height=9, padding=2)", false),
        ("crop(x=2, y=1, width=6, height=4)|center-crop(width=7, height=4)", true),
        ("crop(x=2, y=1, width=6, height=4)|center-crop(width=6, height=4)", false),
        ("center-crop(width=8, height=5)", false),
    ])
    func cropWindowsOutsideTheImageAreErrors(spec: String, fails: Bool) throws {
        let pipeline = try TransformPipeline(spec)
        if fails {
            #expect(throws: ImageError.self, "\(spec)") { _ = try pipeline.checkedOutputSize(width: 8, height: 5) }
        } else {
            _ = try pipeline.checkedOutputSize(width: 8, height: 5)
        }
    }

    @Test func pipelinePrintsBack() throws {
        let text = "random-crop(width=28, height=28, padding=2)|random-flip(axis=horizontal)|random-rotate(degrees=10)|random-scale(min=0.9, max=1.1)"
        let pipeline = try TransformPipeline(text)
        #expect(pipeline.stages.count == 4)
        #expect(pipeline.isRandom)
        let again = try TransformPipeline(pipeline.description)
        #expect(again.description == pipeline.description)
        #expect(try TransformPipeline("").stages.isEmpty)
        #expect(try TransformPipeline("center-crop(20, 10)|resize(5, 5)").outputSize(width: 28, height: 28) == (5, 5))
    }
}

@Suite struct SizeLimitTests {
    @Test func hugeOutputsAreErrors() throws {
        let pipeline = try TransformPipeline("resize(width=100000, height=100000)")
        #expect(throws: ImageError.self) { try pipeline.checkedOutputSize(width: 28, height: 28) }
        #expect(try TransformPipeline("resize(56, 56)").checkedOutputSize(width: 28, height: 28) == (56, 56))
        #expect(throws: ImageError.self) { try Image(width: 1 << 40, height: 1 << 40, channels: 3) }
        #expect(throws: ImageError.self) { try FloatImage(width: -1, height: 2, channels: 1) }
    }
}

@Suite struct RandomErasingTests {
    /// The erased pixels of `out` (where it differs from the all-ones input): their bounding
    /// box, which must be filled entirely, in every channel alike.
    func erasedBox(_ out: FloatImage) -> (x: Int, y: Int, width: Int, height: Int)? {
        var xs: [Int] = [], ys: [Int] = [], count = 0
        for y in 0..<out.height {
            for x in 0..<out.width where out[x: x, y: y, c: 0] != 1 {
                xs.append(x); ys.append(y); count += 1
                for c in 1..<out.channels { #expect(out[x: x, y: y, c: c] == out[x: x, y: y, c: 0]) }
            }
        }
        guard let x0 = xs.min(), let x1 = xs.max(), let y0 = ys.min(), let y1 = ys.max() else { return nil }
        #expect(count == (x1 - x0 + 1) * (y1 - y0 + 1), "the erased pixels are not one rectangle")
        return (x0, y0, x1 - x0 + 1, y1 - y0 + 1)
    }

    let ones = try! FloatImage(width: 28, height: 28, channels: 3, pixels: [Float](repeating: 1, count: 3 * 784))

    @Test func erasesOneRectangleOfTheDrawnAreaAndShape() throws {
        let erasing = try make("random-erasing(p=1, value=0.25)")
        var rng = RandomGenerator(seed: 1)
        var areas: [Double] = []
        for _ in 0..<400 {
            let out = erasing.apply(ones, rng: &rng)
            guard let box = erasedBox(out) else { Issue.record("p=1 left an image unerased"); continue }
            #expect(out[x: box.x, y: box.y, c: 2] == 0.25)
            let fraction = Double(box.width * box.height) / 784
            areas.append(fraction)
            // Rounding each side moves the area a little off the drawn 0.02...0.33.
            #expect(fraction > 0.012 && fraction < 0.36, "\(box)")
            let aspect = Double(box.height) / Double(box.width)
            #expect(aspect > 0.2 && aspect < 5, "\(box)")
        }
        // Uniform in area: the mean is near (0.02 + 0.33) / 2.
        let mean = areas.reduce(0, +) / Double(areas.count)
        #expect(abs(mean - 0.175) < 0.02, "mean erased fraction \(mean)")
        // Tall and wide rectangles both occur (log-uniform ratio around 1).
        let probes = (0..<200).compactMap { _ in erasedBox(erasing.apply(ones, rng: &rng)) }
        #expect(probes.contains { $0.height > 2 * $0.width } && probes.contains { $0.width > 2 * $0.height })
    }

    @Test func pGivesTheShareOfErasedImages() throws {
        var rng = RandomGenerator(seed: 2)
        let half = try make("random-erasing")
        let erased = (0..<1000).filter { _ in erasedBox(half.apply(ones, rng: &rng)) != nil }.count
        #expect((430...570).contains(erased))
        let never = try make("random-erasing(p=0)")
        for _ in 0..<100 { #expect(never.apply(ones, rng: &rng) == ones) }
        // p=0 still draws its one number per image, so other stages' draws do not shift.
        var a = RandomGenerator(seed: 3), b = RandomGenerator(seed: 3)
        _ = never.warp(width: 28, height: 28, rng: &a)
        _ = b.uniformDouble()
        #expect(a.state == b.state)
    }

    /// An image too small for any try (every rectangle needs h < H and w < W) stays as it is.
    @Test func imagesWithNoRoomStayUnerased() throws {
        let tiny = try FloatImage(width: 1, height: 1, channels: 1, pixels: [1])
        var rng = RandomGenerator(seed: 4)
        for _ in 0..<50 { #expect(try make("random-erasing(p=1)").apply(tiny, rng: &rng) == tiny) }
    }

    /// Stages after the erasing see the erased image: a flip after it mirrors the hole;
    /// a crop before it fuses with nothing after it.
    @Test func laterStagesSeeTheErasedImage() throws {
        let image = grayImage(12, 10) { x, y in Float(1 + y * 12 + x) }
        let pipeline = try TransformPipeline("crop(x=1, y=0, width=11, height=10)|random-erasing(p=1, value=0)|flip")
        var rng = RandomGenerator(seed: 6)
        for _ in 0..<20 {
            var copy = rng
            let out = pipeline.apply(image, rng: &rng)
            let cropped = try make("crop(x=1, y=0, width=11, height=10)").apply(image)
            let erased = try make("random-erasing(p=1, value=0)").apply(cropped, rng: &copy)
            #expect(out == (try make("flip").apply(erased)))
            #expect(out.pixels.contains(0))
        }
        let runs = FusedWarp.runs(pipeline.warps(width: 12, height: 10, rng: &rng))
        #expect(runs.count == 2)
        #expect(runs[0].erase != nil && runs[1].erase == nil)
    }

    /// A mask goes through the geometry but is not erased (its labels stay).
    @Test func masksAreNotErased() throws {
        let pipeline = try TransformPipeline("random-erasing(p=1)|flip")
        let image = grayImage(8, 8) { x, y in Float(1 + y * 8 + x) }
        var rng = RandomGenerator(seed: 8)
        let (out, mask) = try pipeline.apply(image: image, mask: image, rng: &rng)
        #expect(out.pixels.contains(0))
        #expect(mask == (try make("flip").apply(image)))
    }

    /// The training path (AugmentedDataset's batches) erases as the pipeline does, RGB too.
    @Test func augmentedBatchesMatchThePipeline() throws {
        var rng = RandomGenerator(seed: 9)
        let rgb = TensorDataset(inputs: Tensor.uniform([4, 3, 28, 28], using: &rng), labels: [0, 1, 0, 1], classNames: ["a", "b"])
        let spec = "random-flip|random-erasing(p=1)"
        let augmented = try AugmentedDataset(base: rgb, pipeline: TransformPipeline(spec), seed: 5)
        let (x, _) = augmented.batch([0, 1, 2, 3])
        for i in 0..<4 {
            let image = try FloatImage(rgb.example(at: i).input, channels: 3, height: 28, width: 28)
            let expected = try TransformPipeline(spec).apply(image, seed: 5, epoch: 0, index: i).pixels
            #expect(Array(x.scalars[(i * 2352)..<((i + 1) * 2352)]) == expected)
            #expect(expected.contains(0))
        }
    }
}
