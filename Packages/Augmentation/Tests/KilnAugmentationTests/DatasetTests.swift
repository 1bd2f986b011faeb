import Foundation
import KilnData
import KilnTensor
import Testing
@testable import KilnAugmentation

/// A temporary folder removed when the value goes away.
final class TemporaryFolder {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("kiln-aug-\(UInt64.random(in: 0 ... .max))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct ImageFolderDatasetTests {
    /// root/a/{0,1}.png (gray 2x2), root/b/x.png (RGB 4x4, resized), root/c/ empty, a text file.
    func makeTree() throws -> TemporaryFolder {
        let folder = try TemporaryFolder()
        let root = folder.path
        for name in ["b", "a", "c"] { try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true) }
        try PNG.write(Image(width: 2, height: 2, channels: 1, pixels: [0, 51, 102, 255]), to: "\(root)/a/0.png")
        try PNG.write(Image(width: 2, height: 2, channels: 1, pixels: [255, 255, 0, 0]), to: "\(root)/a/1.png")
        try PNG.write(Image(width: 4, height: 4, channels: 3, pixels: [UInt8](repeating: 255, count: 48)), to: "\(root)/b/x.PNG")
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: "\(root)/a/notes.txt"))
        return folder
    }

    @Test func loadsClassesSortedAndConverts() throws {
        let folder = try makeTree()
        let data = try ImageFolderDataset(root: folder.path, channels: 1, width: 2, height: 2)
        #expect(data.classNames == ["a", "b", "c"])
        #expect(data.count == 3)
        #expect(data.inputShape == [4])
        #expect(data.files.map { ($0 as NSString).lastPathComponent } == ["0.png", "1.png", "x.PNG"])
        let (x, y) = data.batch([0, 1, 2])
        #expect(y == [0, 0, 1])
        #expect(x.shape == [3, 4])
        #expect(Array(x.scalars[0..<4]) == [0, 0.2, 0.4, 1])
        #expect(Array(x.scalars[8..<12]) == [1, 1, 1, 1])   // white RGB -> gray 1, resized 4x4 -> 2x2
        let chw = try ImageFolderDataset(root: folder.path, channels: 3, width: 2, height: 2, layout: .chw)
        #expect(chw.inputShape == [3, 2, 2])
        #expect(chw.example(at: 0).input.scalars == [0, 0.2, 0.4, 1, 0, 0.2, 0.4, 1, 0, 0.2, 0.4, 1])
    }

    /// nil channels and size keep what the images are: grey only when every image is.
    @Test func keepsTheImagesOwnColourAndSize() throws {
        let grey = try TemporaryFolder()
        for name in ["a", "b"] { try FileManager.default.createDirectory(atPath: "\(grey.path)/\(name)", withIntermediateDirectories: true) }
        try PNG.write(Image(width: 3, height: 2, channels: 1, pixels: [0, 51, 102, 153, 204, 255]), to: "\(grey.path)/a/0.png")
        try PNG.write(Image(width: 3, height: 2, channels: 1, pixels: [255, 0, 0, 0, 0, 255]), to: "\(grey.path)/b/0.png")
        let g = try ImageFolderDataset(root: grey.path, channels: nil, size: nil, layout: .chw)
        #expect(g.inputShape == [1, 2, 3])
        #expect(g.example(at: 0).input.scalars == [0, 0.2, 0.4, 0.6, 0.8, 1])
        // One RGB image makes the whole set RGB; grey images are replicated to 3 channels.
        try PNG.write(Image(width: 3, height: 2, channels: 3, pixels: [UInt8](repeating: 0, count: 15) + [255, 0, 0]),
                      to: "\(grey.path)/b/1.png")
        let rgb = try ImageFolderDataset(root: grey.path, channels: nil, size: nil, layout: .chw)
        #expect(rgb.inputShape == [3, 2, 3])
        #expect(rgb.example(at: 0).input.scalars == [0, 0.2, 0.4, 0.6, 0.8, 1] + [0, 0.2, 0.4, 0.6, 0.8, 1] + [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(rgb.example(at: 2).input.scalars.suffix(13) == [1] + [Float](repeating: 0, count: 12))  // last pixel red
        // Forced to grey.
        #expect(try ImageFolderDataset(root: grey.path, channels: 1, size: nil).inputShape == [6])
        // Mixed sizes: an error naming two files and their sizes, unless a size is given.
        try PNG.write(Image(width: 5, height: 4, channels: 1), to: "\(grey.path)/b/2.png")
        #expect { try ImageFolderDataset(root: grey.path, channels: nil, size: nil) } throws: { error in
            let text = "\(error)"
            return text.contains("a/0.png is 3x2") && text.contains("b/2.png is 5x4") && !text.contains("\n")
        }
        let resized = try ImageFolderDataset(root: grey.path, channels: nil, size: ImageSize(width: 4, height: 4), layout: .chw)
        #expect(resized.inputShape == [3, 4, 4])
        #expect(ImageSize(parsing: "32x24") == ImageSize(width: 32, height: 24))
        for bad in ["32", "0x3", "x3", "3x", "-1x2", "2x2x2", "99999x1"] { #expect(ImageSize(parsing: bad) == nil, "\(bad)") }
    }

    @Test func errorsNameThePath() throws {
        #expect { try ImageFolderDataset(root: "/nonexistent/kiln") } throws: { "\($0)".hasPrefix("/nonexistent/kiln: no such directory") }
        let folder = try makeTree()
        try Data([0x89, 0x50, 0x4E, 0x47, 1, 2, 3]).write(to: URL(fileURLWithPath: "\(folder.path)/c/broken.png"))
        #expect { try ImageFolderDataset(root: folder.path) } throws: { error in
            let text = "\(error)"
            return text.contains("broken.png") && !text.contains("\n")
        }
        let empty = try TemporaryFolder()
        #expect(throws: ImageFolderError.self) { try ImageFolderDataset(root: empty.path) }
    }
}

@Suite struct AugmentedDatasetTests {
    func base() -> TensorDataset {
        var rng = RandomGenerator(seed: 3)
        return TensorDataset(inputs: Tensor.uniform([8, 784], using: &rng), labels: [0, 1, 2, 3, 0, 1, 2, 3], classNames: ["a", "b", "c", "d"])
    }

    let spec = "random-crop(width=28, height=28, padding=2)|random-flip(axis=horizontal)|random-rotate(degrees=10)|random-scale(min=0.9, max=1.1)"

    @Test func examplesMatchBatchesAndSeedsPerSampleAndEpoch() throws {
        let augmented = try AugmentedDataset(base: base(), pipeline: TransformPipeline(spec), seed: 5)
        #expect(augmented.inputShape == [784])
        let (x, y) = augmented.batch([6, 2, 7])
        #expect(y == [2, 2, 3])
        // Per sample: the same index gives the same image whatever the batch.
        #expect(Array(x.scalars[0..<784]) == augmented.example(at: 6).input.scalars)
        #expect(Array(x.scalars[784..<1568]) == augmented.batch([2]).inputs.scalars)
        // And equals the pipeline applied to the base image with the sample's generator.
        let image = try FloatImage(base().example(at: 7).input, channels: 1, height: 28, width: 28)
        #expect(try Array(x.scalars[1568...]) == TransformPipeline(spec).apply(image, seed: 5, epoch: 0, index: 7).pixels)
        // Epochs differ; going back reproduces.
        let first = augmented.example(at: 6).input
        augmented.setEpoch(1)
        #expect(augmented.epoch == 1)
        #expect(augmented.example(at: 6).input != first)
        #expect(augmented.withEpoch(0).example(at: 6).input == first)
        augmented.epoch = 0
        #expect(augmented.example(at: 6).input == first)
        // Another seed, other draws.
        #expect(try AugmentedDataset(base: base(), pipeline: TransformPipeline(spec), seed: 6).example(at: 6).input != first)
    }

    /// RGB images: every channel gets the same transform (a flip mirrors each plane).
    @Test func colourImagesAreTransformedPerChannel() throws {
        var rng = RandomGenerator(seed: 4)
        let rgb = TensorDataset(inputs: Tensor.uniform([2, 3, 4, 5], using: &rng), labels: [0, 1], classNames: ["a", "b"])
        let flipped = try AugmentedDataset(base: rgb, pipeline: TransformPipeline("flip(axis=horizontal)"), seed: 1)
        #expect(flipped.inputShape == [3, 4, 5])
        let x = rgb.example(at: 1).input.scalars, y = flipped.example(at: 1).input.scalars
        #expect(x.count == 60 && y.count == 60)
        for c in 0..<3 {
            for r in 0..<4 { for col in 0..<5 { #expect(y[c * 20 + r * 5 + col] == x[c * 20 + r * 5 + 4 - col]) } }
        }
        let cropped = try AugmentedDataset(base: rgb, pipeline: TransformPipeline("random-crop(width=5, height=4, padding=1)"), seed: 2)
        #expect(cropped.batch([0, 1]).inputs.shape == [2, 3, 4, 5])
    }

    @Test func shapesFollowThePipeline() throws {
        let chw = base().reshaped(inputShape: [1, 28, 28])
        let cropped = try AugmentedDataset(base: chw, pipeline: TransformPipeline("center-crop(24, 20)|rotate(90)|resize(12, 10)"), seed: 1)
        #expect(cropped.inputShape == [1, 10, 12])
        #expect(cropped.batch([0, 1]).inputs.shape == [2, 1, 10, 12])
        #expect(cropped.example(at: 1).input.scalars == cropped.batch([0, 1]).inputs.scalars[120...].map { $0 })
        #expect(try AugmentedDataset(base: base().reshaped(inputShape: [2, 392]), pipeline: TransformPipeline("flip"), seed: 1).inputShape == [2, 392])
        #expect(throws: ImageError.self) { try AugmentedDataset(base: base().reshaped(inputShape: [4, 14, 14]).reshaped(inputShape: [784]).reshaped(inputShape: [2, 2, 196]), pipeline: TransformPipeline(""), seed: 1) }
        let identity = try AugmentedDataset(base: base(), pipeline: TransformPipeline(""), seed: 1)
        #expect(identity.batch([3]).inputs.scalars == base().batch([3]).inputs.scalars)
    }
}
