import KilnTensor

/// `random-flip(axis=horizontal, p=0.5)`: ``Flip`` with probability `p`, else unchanged.
/// Draws one uniform number per image (also when `p` is 0 or 1).
public struct RandomFlip: Transform {
    /// Which way to mirror (default horizontal).
    public var axis: FlipAxis
    /// The probability of a flip (default 0.5).
    public var p: Double

    /// A flip about `axis` with probability `p`.
    public init(axis: FlipAxis = .horizontal, p: Double = 0.5) { (self.axis, self.p) = (axis, p) }

    public var isRandom: Bool { true }
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) { (width, height) }
    public func warp(width: Int, height: Int, rng: inout RandomGenerator) -> Warp {
        rng.uniformDouble() < p ? axis.warp(width: width, height: height) : .identity(width: width, height: height)
    }
    public var description: String { "random-flip(axis=\(axis.rawValue), p=\(specText(p)))" }
}
