import KilnAugmentation
import KilnRegistry
import KilnTensor
import Testing

// The Augmentation README's "Write your own transform", compiled and run here; the README
// shows the code between the snippet markers (ReadmeSnippetTests checks they agree).

// snippet random-translate
/// `random-translate(pixels=2)`: moves the image by up to `pixels` whole pixels in x and
/// in y (uniform, one draw each per image); uncovered pixels are 0.
struct RandomTranslate: Transform {
    var pixels: Int

    var isRandom: Bool { true }
    func outputSize(width: Int, height: Int) -> (width: Int, height: Int) { (width, height) }
    func warp(width: Int, height: Int, rng: inout RandomGenerator) -> Warp {
        let dx = rng.int(below: 2 * pixels + 1) - pixels
        let dy = rng.int(below: 2 * pixels + 1) - pixels
        return .translation(width: width, height: height, dx: Double(dx), dy: Double(dy))
    }
    var description: String { "random-translate(pixels=\(pixels))" }
}

func registerRandomTranslate() {
    transforms.register("random-translate") { spec in
        RandomTranslate(pixels: try spec.int("pixels", at: 0, default: 2, in: 0...64))
    }
}
// end snippet

@Suite struct AugmentationReadmeTests {
    @Test func writeYourOwnTransform() throws {
        registerRandomTranslate()
        // snippet random-translate-use
        try TransformConformance.check(RandomTranslate(pixels: 2))       // size, determinism, spec round trip
        let pipeline = try TransformPipeline("random-translate(pixels=3)|random-flip(axis=horizontal)")
        var rng = RandomGenerator(seed: 1)
        let image = try FloatImage(width: 28, height: 28, channels: 1, repeating: 0.5)
        let moved = pipeline.apply(image, rng: &rng)                      // one fused sampling
        // end snippet
        #expect(moved.width == 28 && moved.height == 28)
        // Whole-pixel moves are exact: every pixel is 0.5 (inside) or 0 (uncovered).
        #expect(moved.pixels.allSatisfy { $0 == 0.5 || $0 == 0 } && moved.pixels.contains(0))
    }

    @Test func theWarpVocabularyComposes() {
        let w = 5, h = 4
        let moved = Warp.shift(width: w, height: h, dx: 1, dy: 0, border: .constant(0))
            .followed(by: .translation(width: w, height: h, dx: 1, dy: 0))
        // Shift reads x + 1, then the translation reads x − 1: the identity map.
        #expect(moved.a == 1 && moved.c == 0 && moved.e == 1 && moved.f == 0 && moved.interpolation == nil)
        let zoom = Warp.scale(width: w, height: h, factor: 2).followed(by: .scale(width: w, height: h, factor: 0.5))
        #expect(abs(zoom.a - 1) < 1e-12 && abs(zoom.c) < 1e-12 && zoom.interpolation == .bilinear)
        let quarter = Warp.rotation(width: 4, height: 4, degrees: 90)
        #expect(quarter.a == 0 && quarter.b == -1 && quarter.d == 1 && quarter.e == 0)
    }
}
