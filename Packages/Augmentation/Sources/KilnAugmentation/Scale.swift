import KilnTensor

/// `scale(factor, interpolation=bilinear, fill=0)`: zooms about ((w-1)/2, (h-1)/2) by
/// `factor` (> 1 enlarges, < 1 shrinks and fills the border with `fill`), same output size:
/// OpenCV `warpAffine(src, getRotationMatrix2D(center, 0, factor), ...)`.
public struct Scale: Transform {
    /// The zoom factor: above 1 enlarges, below 1 shrinks.
    public var factor: Double
    /// How pixels are sampled (default bilinear).
    public var interpolation: Interpolation
    /// The value of pixels that come from outside the image (default 0).
    public var fill: Double

    /// A zoom by `factor` about the centre.
    public init(factor: Double, interpolation: Interpolation = .bilinear, fill: Double = 0) {
        (self.factor, self.interpolation, self.fill) = (factor, interpolation, fill)
    }

    public var isRandom: Bool { false }
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) { (width, height) }
    public func warp(width: Int, height: Int, rng: inout RandomGenerator) -> Warp {
        .rotation(width: width, height: height, degrees: 0, scale: factor, interpolation: interpolation, fill: Float(fill))
    }
    public var description: String {
        "scale(factor=\(specText(factor)), interpolation=\(interpolation.rawValue), fill=\(specText(fill)))"
    }
}
