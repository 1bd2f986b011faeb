import KilnTensor

/// `center-crop(width, height)`: the centred `width` x `height` window, its left edge at
/// `floor((W - width) / 2)` and top at `floor((H - height) / 2)`. Exact; a window larger than
/// the image reads 0 outside it (zero padding).
public struct CenterCrop: Transform {
    /// The size of the window, in pixels.
    public var width: Int, height: Int

    /// A centre crop of `width` × `height`.
    public init(width: Int, height: Int) { (self.width, self.height) = (width, height) }

    public var isRandom: Bool { false }
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) { (self.width, self.height) }
    public func warp(width: Int, height: Int, rng: inout RandomGenerator) -> Warp {
        .shift(width: self.width, height: self.height,
               dx: floorDiv(width - self.width, 2), dy: floorDiv(height - self.height, 2), border: .constant(0))
    }
    /// The window must not be larger than the image.
    public func checkInput(width: Int, height: Int) throws(ImageError) {
        guard self.width <= width, self.height <= height else {
            throw ImageError("'\(self)' is larger than the \(width)x\(height) image")
        }
    }
    public var description: String { "center-crop(width=\(width), height=\(height))" }
}

/// Division rounding toward minus infinity.
@inline(__always)
func floorDiv(_ a: Int, _ b: Int) -> Int {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
