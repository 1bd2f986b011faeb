import KilnTensor

/// `resize(width, height)`: bilinear resampling to `width` x `height` with half-pixel
/// centres, as OpenCV `resize(..., INTER_LINEAR)`: output (x, y) reads input
/// `((x + 0.5) W / width - 0.5, (y + 0.5) H / height - 0.5)`, taps outside the image read
/// the edge pixel. No anti-aliasing when shrinking (like OpenCV).
public struct Resize: Transform {
    /// The output size, in pixels.
    public var width: Int, height: Int

    /// A resize to `width` × `height`.
    public init(width: Int, height: Int) { (self.width, self.height) = (width, height) }

    public var isRandom: Bool { false }
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) { (self.width, self.height) }
    public func warp(width: Int, height: Int, rng: inout RandomGenerator) -> Warp {
        let sx = Double(width) / Double(self.width), sy = Double(height) / Double(self.height)
        return Warp(outputWidth: self.width, outputHeight: self.height,
                    a: sx, b: 0, c: 0.5 * sx - 0.5, d: 0, e: sy, f: 0.5 * sy - 0.5,
                    interpolation: .bilinear, border: .edge)
    }
    public var description: String { "resize(width=\(width), height=\(height))" }
}
