import KilnTensor

/// `crop(x, y, width, height)`: the `width` x `height` window whose top-left pixel is
/// (`x`, `y`). Exact (pixels are copied). Parts of the window outside the image read 0.
public struct Crop: Transform {
    /// The window's top-left pixel and its size, in pixels.
    public var x: Int, y: Int, width: Int, height: Int

    /// A crop of the `width` × `height` window at (`x`, `y`).
    public init(x: Int, y: Int, width: Int, height: Int) {
        (self.x, self.y, self.width, self.height) = (x, y, width, height)
    }

    public var isRandom: Bool { false }
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) { (self.width, self.height) }
    public func warp(width: Int, height: Int, rng: inout RandomGenerator) -> Warp {
        .shift(width: self.width, height: self.height, dx: x, dy: y, border: .constant(0))
    }
    /// The window must lie inside the image.
    public func checkInput(width: Int, height: Int) throws(ImageError) {
        guard x >= 0, y >= 0, x + self.width <= width, y + self.height <= height else {
            throw ImageError("'\(self)' reaches outside the \(width)x\(height) image")
        }
    }
    public var description: String { "crop(x=\(x), y=\(y), width=\(width), height=\(height))" }
}
