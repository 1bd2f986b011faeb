import KilnTensor

/// An 8-bit image: `height` rows of `width` pixels, each `channels` bytes, interleaved
/// (`pixels[(y * width + x) * channels + c]`), the layout PNG files use.
///
/// Channels: 1 = gray, 3 = RGB, 4 = RGBA (straight, not premultiplied, alpha). Row 0 is the
/// top row. Decode with ``PNG/decode(_:channels:name:pixelLimit:)`` and encode with
/// ``PNG/encode(_:)``; transforms work on the float form ``FloatImage``.
public struct Image: Sendable, Equatable {
    /// Pixels per row.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Bytes per pixel: 1 gray, 3 RGB, 4 RGBA.
    public let channels: Int
    /// Interleaved samples, `width * height * channels` of them.
    public var pixels: [UInt8]

    /// Wraps interleaved pixels. Throws ``ImageError`` when the channel count is not
    /// 1, 3 or 4, a size is negative, or `pixels` has the wrong length.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws(ImageError) {
        try ImageError.check(width: width, height: height, channels: channels, count: pixels.count)
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// A zero (black, transparent) image.
    public init(width: Int, height: Int, channels: Int) throws(ImageError) {
        let count = try ImageError.sampleCount(width: width, height: height, channels: channels)
        try self.init(width: width, height: height, channels: channels, pixels: [UInt8](repeating: 0, count: count))
    }

    /// Already validated (internal).
    init(unchecked width: Int, _ height: Int, _ channels: Int, _ pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The sample at column `x`, row `y`, channel `c`.
    public subscript(x x: Int, y y: Int, c c: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + c] }
        set { pixels[(y * width + x) * channels + c] = newValue }
    }

    /// The float form: planar, each sample divided by 255 (so in [0, 1]).
    public var floatImage: FloatImage { FloatImage(self) }

    /// The image as a `Tensor` scaled to [0, 1]: `[channels, height, width]` (`.chw`) or
    /// `[channels * height * width]` in the same order (`.flattened`).
    public func tensor(layout: TensorLayout = .chw) -> Tensor { FloatImage(self).tensor(layout: layout) }

    /// The same picture with `channels` channels (see ``FloatImage/converted(toChannels:)``
    /// for the rules: luma Y = 0.299 R + 0.587 G + 0.114 B, alpha dropped or set opaque).
    public func converted(toChannels target: Int) throws(ImageError) -> Image {
        if target == channels { return self }
        return Image(try FloatImage(self).converted(toChannels: target))
    }
}

/// How an image becomes a tensor: `[C, H, W]` or the same values flattened to `[C*H*W]`.
public enum TensorLayout: String, Sendable, CaseIterable {
    /// `[C, H, W]`, for convolutional layers.
    case chw
    /// `[C·H·W]`, for dense layers.
    case flattened

    /// The tensor shape of a `channels` x `height` x `width` image in this layout.
    public func shape(channels: Int, height: Int, width: Int) -> [Int] {
        switch self {
        case .chw: return [channels, height, width]
        case .flattened: return [channels * height * width]
        }
    }
}
