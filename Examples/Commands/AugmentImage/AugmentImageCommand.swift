import ArgumentParser
import KilnExampleSupport
import Foundation
import KilnAugmentation
import KilnTensor

/// `augment-image INPUT.png OUTPUT.png --ops "SPEC" [--seed N]`: applies a transform
/// pipeline to one PNG and writes the result as PNG (atomically). The output keeps the
/// input's channel count: gray stays gray, RGB stays RGB, anything with transparency
/// (alpha or tRNS) is RGBA. Errors: one line on stderr, exit 64 for usage errors (bad
/// flags, bad spec), 1 for the rest (unreadable or broken PNG, unwritable output).
public struct AugmentImageCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "augment-image",
        abstract: "Apply a crop/flip/rotate/scale/erasing pipeline to a PNG and write a PNG.",
        discussion: """
            Transforms: crop(x, y, width, height), center-crop(width, height),
            random-crop(width, height, padding=0, padding_mode=constant|edge|reflect),
            flip(axis=horizontal|vertical), random-flip(axis=horizontal, p=0.5),
            rotate(degrees, interpolation=bilinear|nearest, fill=0), random-rotate(degrees),
            scale(factor), random-scale(min, max), resize(width, height),
            random-erasing(p=0.5, min_area=0.02, max_area=0.33, min_ratio=0.3, max_ratio=3.3, value=0).
            Join with '|'.
            Example: --ops "random-crop(width=24, height=24, padding=2)|random-rotate(degrees=10)"
            """)

    @Argument(help: "The PNG to read.")
    var input: String

    @Argument(help: "The PNG to write (replaced atomically).")
    var output: String

    @Option(help: "The transform pipeline, stages separated by '|'.")
    var ops: String

    @Option(help: "Seed of the random stages (the same seed gives the same image).")
    var seed: UInt64 = 0

    public func run() throws {
        let pipeline: TransformPipeline
        do { pipeline = try TransformPipeline(ops) } catch { throw ValidationError("--ops: \(error)") }
        let image = try PNG.decode(contentsOf: input)
        _ = try pipeline.checkedOutputSize(width: image.width, height: image.height)
        var rng = RandomGenerator(seed: seed)
        let result = pipeline.apply(FloatImage(image), rng: &rng)
        try PNG.write(Image(result), to: output)
    }

    /// Runs the command with the examples' error contract (`CommandMain`).
    public static func main() { CommandMain.run(AugmentImageCommand.self) }
}
