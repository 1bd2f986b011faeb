import KilnTensor

/// `rotate(degrees, interpolation=bilinear|nearest, fill=0)`: turns the image by `degrees`
/// about ((w-1)/2, (h-1)/2), positive counter-clockwise on screen, same output size;
/// corners from outside read `fill`. With bilinear this is OpenCV's
/// `warpAffine(src, getRotationMatrix2D(center, degrees, 1), (w, h), INTER_LINEAR,
/// BORDER_CONSTANT, fill)`. Multiples of 90 degrees use exact sines, so a quarter turn of a
/// square image is an exact pixel permutation.
public struct Rotate: Transform {
    /// The angle, counter-clockwise on screen.
    public var degrees: Double
    /// How pixels are sampled (default bilinear).
    public var interpolation: Interpolation
    /// The value of pixels that come from outside the image (default 0).
    public var fill: Double

    /// A rotation by `degrees`.
    public init(degrees: Double, interpolation: Interpolation = .bilinear, fill: Double = 0) {
        (self.degrees, self.interpolation, self.fill) = (degrees, interpolation, fill)
    }

    public var isRandom: Bool { false }
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) { (width, height) }
    public func warp(width: Int, height: Int, rng: inout RandomGenerator) -> Warp {
        .rotation(width: width, height: height, degrees: degrees, scale: 1, interpolation: interpolation, fill: Float(fill))
    }
    public var description: String {
        "rotate(degrees=\(specText(degrees)), interpolation=\(interpolation.rawValue), fill=\(specText(fill)))"
    }
}
