import KilnTensor

/// A float image in planar (CHW) order: `pixels[(c * height + y) * width + x]`.
///
/// This is the form transforms work on and the form models consume. Values converted from
/// 8-bit images are `byte / 255` (so in [0, 1]); any other float values are allowed
/// (standardized inputs, for instance) and transforms carry them through unchanged apart
/// from interpolation, with `fill` in the same units.
public struct FloatImage: Sendable, Equatable {
    /// Pixels per row.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Channels: 1 gray, 3 RGB, 4 RGBA.
    public let channels: Int
    /// Planar samples, `channels * height * width` of them.
    public var pixels: [Float]

    /// Wraps planar pixels; throws when the channel count is not 1, 3 or 4 or the length
    /// is not `channels * height * width`.
    public init(width: Int, height: Int, channels: Int, pixels: [Float]) throws(ImageError) {
        try ImageError.check(width: width, height: height, channels: channels, count: pixels.count)
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An image filled with `value`.
    public init(width: Int, height: Int, channels: Int, repeating value: Float = 0) throws(ImageError) {
        let count = try ImageError.sampleCount(width: width, height: height, channels: channels)
        try self.init(width: width, height: height, channels: channels, pixels: [Float](repeating: value, count: count))
    }

    init(unchecked width: Int, _ height: Int, _ channels: Int, _ pixels: [Float]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The 8-bit image divided by 255 (`x / 255`, as KilnData's IDX loader), de-interleaved into planes.
    public init(_ image: Image) {
        let (w, h, c) = (image.width, image.height, image.channels)
        let plane = w * h
        var out = [Float](repeating: 0, count: plane * c)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                // x / 255 (a division, not a multiply by 1/255), so values equal KilnData's IDX loader's.
                for ch in 0..<c {
                    for i in 0..<plane { dst[ch * plane + i] = Float(src[i * c + ch]) / 255 }
                }
            }
        }
        self.init(unchecked: w, h, c, out)
    }

    /// An image from a tensor of shape `[C, H, W]`, `[H, W]` (gray) or any shape with
    /// `channels * height * width` elements in CHW order.
    public init(_ tensor: Tensor, channels: Int, height: Int, width: Int) throws(ImageError) {
        let expected = try ImageError.sampleCount(width: width, height: height, channels: channels)
        guard tensor.count == expected else {
            throw ImageError("a tensor of shape \(tensor.shape) is not a \(channels)x\(height)x\(width) image")
        }
        try self.init(width: width, height: height, channels: channels, pixels: tensor.scalars)
    }

    /// The sample at column `x`, row `y`, channel `c`.
    public subscript(x x: Int, y y: Int, c c: Int) -> Float {
        get { pixels[(c * height + y) * width + x] }
        set { pixels[(c * height + y) * width + x] = newValue }
    }

    /// The pixels as a tensor: `[C, H, W]` (`.chw`) or `[C*H*W]` (`.flattened`).
    public func tensor(layout: TensorLayout = .chw) -> Tensor {
        Tensor(shape: layout.shape(channels: channels, height: height, width: width), scalars: pixels)
    }

    /// The same picture with `target` channels:
    /// - to gray: luma `Y = 0.299 R + 0.587 G + 0.114 B` (ITU-R BT.601, as Pillow's `L` and
    ///   OpenCV's `COLOR_RGB2GRAY`); alpha is dropped (not composited).
    /// - gray to RGB: the gray plane three times; to RGBA also an opaque alpha plane (1).
    /// - RGBA to RGB drops alpha; RGB to RGBA adds an opaque alpha plane.
    public func converted(toChannels target: Int) throws(ImageError) -> FloatImage {
        guard [1, 3, 4].contains(target) else {
            throw ImageError("channels must be 1 (gray), 3 (RGB) or 4 (RGBA), got \(target)")
        }
        if target == channels { return self }
        let plane = width * height
        var out = [Float](repeating: 1, count: plane * target)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                if target == 1 {
                    if channels == 1 { for i in 0..<plane { dst[i] = src[i] } }
                    else {
                        for i in 0..<plane {
                            dst[i] = 0.299 * src[i] + 0.587 * src[plane + i] + 0.114 * src[2 * plane + i]
                        }
                    }
                } else {
                    for ch in 0..<3 {
                        let from = channels == 1 ? 0 : ch
                        for i in 0..<plane { dst[ch * plane + i] = src[from * plane + i] }
                    }
                    // target 4 keeps the opaque 1s already there unless the source has alpha.
                    if target == 4, channels == 4 { for i in 0..<plane { dst[3 * plane + i] = src[3 * plane + i] } }
                }
            }
        }
        return FloatImage(unchecked: width, height, target, out)
    }
}

extension Image {
    /// The 8-bit form of a float image: each sample clamped to [0, 1], times 255, rounded
    /// to nearest (NaN becomes 0), re-interleaved.
    public init(_ image: FloatImage) {
        let (w, h, c) = (image.width, image.height, image.channels)
        let plane = w * h
        var out = [UInt8](repeating: 0, count: plane * c)
        image.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for ch in 0..<c {
                    for i in 0..<plane {
                        let v = src[ch * plane + i]
                        let clamped = v > 0 ? (v < 1 ? v : 1) : 0   // NaN fails both tests: 0
                        dst[i * c + ch] = UInt8((clamped * 255).rounded())
                    }
                }
            }
        }
        self.init(unchecked: w, h, c, out)
    }
}
