import KilnTensor

/// `random-rotate(degrees, interpolation=bilinear, fill=0)`: ``Rotate`` by an angle uniform
/// in [-degrees, degrees] (one draw per image).
public struct RandomRotate: Transform {
    public var degrees: Double
    public var interpolation: Interpolation
    public var fill: Double

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
