import KilnTensor

/// `scale(factor, interpolation=bilinear, fill=0)`: zooms about ((w-1)/2, (h-1)/2) by
/// `factor` (> 1 enlarges, < 1 shrinks and fills the border with `fill`), same output size:
/// OpenCV `warpAffine(src, getRotationMatrix2D(center, 0, factor), ...)`.
public struct Scale: Transform {
    public var factor: Double
    public var interpolation: Interpolation
    public var fill: Double

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
