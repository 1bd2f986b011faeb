import KilnTensor

/// `random-scale(min, max, interpolation=bilinear, fill=0)`: ``Scale`` by a factor uniform
/// in [min, max] (one draw per image).
public struct RandomScale: Transform {
    /// The range of the zoom factor.
    public var min: Double, max: Double
    /// How pixels are sampled (default bilinear).
    public var interpolation: Interpolation
    /// The value of pixels that come from outside the image (default 0).
    public var fill: Double

    /// A zoom by a factor uniform in [`min`, `max`].
    public init(min: Double, max: Double, interpolation: Interpolation = .bilinear, fill: Double = 0) {
        (self.min, self.max, self.interpolation, self.fill) = (min, max, interpolation, fill)
    }

    public var isRandom: Bool { true }
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) { (width, height) }
    public func warp(width: Int, height: Int, rng: inout RandomGenerator) -> Warp {
        let factor = min + (max - min) * rng.uniformDouble()
        return .rotation(width: width, height: height, degrees: 0, scale: factor, interpolation: interpolation, fill: Float(fill))
    }
    public var description: String {
        "random-scale(min=\(specText(min)), max=\(specText(max)), interpolation=\(interpolation.rawValue), fill=\(specText(fill)))"
    }
}
