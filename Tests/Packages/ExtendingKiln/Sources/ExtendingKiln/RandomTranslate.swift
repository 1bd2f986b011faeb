import KilnAugmentation
import KilnTensor

/// `random-translate(pixels=2)`: moves the image by up to `pixels` (any amount, bilinear)
/// in x and in y.
struct RandomTranslate: Transform {
    var pixels: Double

    var isRandom: Bool { true }
    func outputSize(width: Int, height: Int) -> (width: Int, height: Int) { (width, height) }
    func warp(width: Int, height: Int, rng: inout RandomGenerator) -> Warp {
        let dx = (2 * rng.uniformDouble() - 1) * pixels
        let dy = (2 * rng.uniformDouble() - 1) * pixels
        return .translation(width: width, height: height, dx: dx, dy: dy)
    }
    var description: String { "random-translate(pixels=\(pixels))" }
}
