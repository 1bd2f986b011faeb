import KilnTensor

/// `random-rotate(degrees, interpolation=bilinear, fill=0)`: ``Rotate`` by an angle uniform
/// in [-degrees, degrees] (one draw per image).
public struct RandomRotate: Transform {
    /// The largest angle either way, in degrees.
    public var degrees: Double
    /// How pixels are sampled (default bilinear).
    public var interpolation: Interpolation
    /// The value of pixels that come from outside the image (default 0).
    public var fill: Double

    /// A rotation by an angle uniform in ±`degrees`.
    public init(degrees: Double, interpolation: Interpolation = .bilinear, fill: Double = 0) {
        (self.degrees, self.interpolation, self.fill) = (degrees, interpolation, fill)
    }

    public var isRandom: Bool { true }
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) { (width, height) }
    public func warp(width: Int, height: Int, rng: inout RandomGenerator) -> Warp {
        let angle = -degrees + 2 * degrees * rng.uniformDouble()
        return .rotation(width: width, height: height, degrees: angle, scale: 1, interpolation: interpolation, fill: Float(fill))
    }
    public var description: String {
        "random-rotate(degrees=\(specText(degrees)), interpolation=\(interpolation.rawValue), fill=\(specText(fill)))"
    }
}
