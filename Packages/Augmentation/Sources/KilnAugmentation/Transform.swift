import KilnTensor

/// A geometric image transform: for an input size it yields a ``Warp`` (an output size and
/// an affine map from output to input pixel coordinates, with interpolation and border).
///
/// Deterministic transforms (`crop`, `flip`, `rotate`, ...) return the same warp every
/// time and never touch the generator; random ones (`random-crop`, `random-flip`, ...)
/// draw their parameters from it, so one seeded generator reproduces them. A
/// ``TransformPipeline`` draws every stage's warp, fuses them and samples once.
///
/// Conventions: pixel (x, y) has its centre at (x, y), x to the right, y down; rotation and
/// zoom are about ((w-1)/2, (h-1)/2); positive degrees turn counter-clockwise on screen;
/// bilinear sampling with a constant border equals OpenCV
/// `warpAffine(src, getRotationMatrix2D(center, angle, scale), dsize, INTER_LINEAR,
/// BORDER_CONSTANT, fill)`.
///
/// Implementation requirements (``TransformConformance/check(_:registry:)`` tests them):
/// - `outputSize` does not depend on randomness, and `warp(...)` returns that size.
/// - The same generator state gives the same warp; a deterministic transform does not
///   draw from the generator.
/// - `description` is a spec the ``transforms`` registry turns back into an equal transform.
public protocol Transform: Sendable, CustomStringConvertible {
    /// Whether `warp` draws from the generator.
    var isRandom: Bool { get }
    /// The output size for an input of `width` x `height`.
    func outputSize(width: Int, height: Int) -> (width: Int, height: Int)
    /// The warp for one image of `width` x `height`, drawing random parameters from `rng`.
    func warp(width: Int, height: Int, rng: inout RandomGenerator) -> Warp
    /// Throws when the transform cannot apply to a `width` x `height` image (a crop window
    /// reaching outside it). ``TransformPipeline/checkedOutputSize(width:height:pixelLimit:)``
    /// calls it stage by stage. The default accepts every size.
    func checkInput(width: Int, height: Int) throws(ImageError)
}

extension Transform {
    public func checkInput(width: Int, height: Int) throws(ImageError) {}

    /// Applies this transform alone (one warp, one sampling).
    public func apply(_ image: FloatImage, rng: inout RandomGenerator) -> FloatImage {
        TransformPipeline(stages: [self]).apply(image, rng: &rng)
    }

    /// Applies a deterministic transform (a random one draws from a generator seeded 0).
    public func apply(_ image: FloatImage) -> FloatImage {
        var rng = RandomGenerator(seed: 0)
        return apply(image, rng: &rng)
    }
}
