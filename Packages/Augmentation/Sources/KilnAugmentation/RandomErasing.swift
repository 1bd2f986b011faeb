import KilnTensor

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `random-erasing(p=0.5, min_area=0.02, max_area=0.33, min_ratio=0.3, max_ratio=3.3, value=0)`:
/// with probability `p`, sets a random rectangle of the image, in every channel, to
/// `value` (Zhong et al., "Random Erasing Data Augmentation", 2017; torchvision's
/// `RandomErasing` with the same defaults). The rest of the image is unchanged.
///
/// The rectangle, as torchvision draws it: up to 10 tries of an area
/// `A = W·H·U(min_area, max_area)` and an aspect ratio `r = exp(U(ln min_ratio, ln max_ratio))`
/// (height over width), giving `h = round(√(A·r))` rows and `w = round(√(A/r))` columns;
/// the first try with `h < H` and `w < W` is placed at a uniform top-left corner
/// (`0...H-h`, `0...W-w`). When no try fits, the image is left as it is.
///
/// Why: the network cannot rely on any one part of an object, which regularizes much like
/// dropout on the input but in contiguous patches (occlusion). Zhong et al. report it
/// lowering Fashion-MNIST test error for ResNets. It is a pixel step, not a geometric one:
/// its ``Warp`` is the identity with an ``Erasure``, and stages after it see the erased
/// image. Draws one uniform number per image, and two per try plus two for the corner
/// when it erases.
public struct RandomErasing: Transform {
    /// The probability of erasing (default 0.5).
    public var p: Double
    /// The erased area as a fraction of the image, drawn uniformly in this range
    /// (default 0.02...0.33).
    public var area: ClosedRange<Double>
    /// The rectangle's height over width, drawn log-uniformly in this range (default 0.3...3.3).
    public var ratio: ClosedRange<Double>
    /// What the rectangle is set to, in the image's units (default 0: black for [0, 1] images).
    public var value: Float

    /// Erasing with probability `p`, an `area` fraction and `ratio` range, filled with `value`.
    public init(p: Double = 0.5, area: ClosedRange<Double> = 0.02...0.33, ratio: ClosedRange<Double> = 0.3...3.3, value: Float = 0) {
        (self.p, self.area, self.ratio, self.value) = (p, area, ratio, value)
    }

    public var isRandom: Bool { true }
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) { (width, height) }

    public func warp(width: Int, height: Int, rng: inout RandomGenerator) -> Warp {
        let identity = Warp.identity(width: width, height: height)
        guard rng.uniformDouble() < p else { return identity }
        let imageArea = Double(width) * Double(height)
        let logLow = log(ratio.lowerBound), logHigh = log(ratio.upperBound)
        for _ in 0..<10 {
            let target = imageArea * (area.lowerBound + (area.upperBound - area.lowerBound) * rng.uniformDouble())
            let aspect = exp(logLow + (logHigh - logLow) * rng.uniformDouble())
            let h = Int((target * aspect).squareRoot().rounded()), w = Int((target / aspect).squareRoot().rounded())
            guard h < height, w < width else { continue }
            let top = rng.int(below: height - h + 1), left = rng.int(below: width - w + 1)
            return .erasing(width: width, height: height, Erasure(x: left, y: top, width: w, height: h, value: value))
        }
        return identity
    }

    public var description: String {
        "random-erasing(p=\(specText(p)), min_area=\(specText(area.lowerBound)), max_area=\(specText(area.upperBound)), "
            + "min_ratio=\(specText(ratio.lowerBound)), max_ratio=\(specText(ratio.upperBound)), value=\(specText(Double(value))))"
    }
}
