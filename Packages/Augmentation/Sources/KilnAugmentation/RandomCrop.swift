import KilnTensor

/// `random-crop(width, height, padding=0, padding_mode=constant|edge|reflect)`: pads the
/// image by `padding` pixels on every side (constant 0, edge pixels, or reflection without
/// repeating the edge, as torchvision's `RandomCrop`), then takes a `width` x `height`
/// window at a uniform random position: left `i - padding` with `i` uniform in
/// `0...(W + 2 padding - width)`, top likewise. Exact. Draws two integers per image.
/// A window larger than the padded image is an error in a checked pipeline
/// (``checkInput(width:height:)``, as torchvision's `RandomCrop` without `pad_if_needed`);
/// applied unchecked, the window is centred in that axis and the rest reads the padding.
public struct RandomCrop: Transform {
    /// How the padding is filled.
    public enum PaddingMode: String, Sendable, CaseIterable {
        /// Zeros (black).
        case constant
        /// The nearest edge pixel, repeated.
        case edge
        /// The image mirrored about its edge pixel, which is not repeated (`dcb|abcd|cba`).
        case reflect
    }

    /// The window's size and the padding added on every side first (default 0), in pixels.
    public var width: Int, height: Int, padding: Int
    /// How the padding is filled (default constant: zeros).
    public var paddingMode: PaddingMode

    /// A random crop of `width` × `height` after padding by `padding` pixels filled as
    /// `paddingMode` says.
    public init(width: Int, height: Int, padding: Int = 0, paddingMode: PaddingMode = .constant) {
        (self.width, self.height, self.padding, self.paddingMode) = (width, height, padding, paddingMode)
    }

    public var isRandom: Bool { true }
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) { (self.width, self.height) }

    public func warp(width: Int, height: Int, rng: inout RandomGenerator) -> Warp {
        let slackX = width + 2 * padding - self.width, slackY = height + 2 * padding - self.height
        let ix = rng.int(below: max(slackX, 0) + 1), iy = rng.int(below: max(slackY, 0) + 1)
        let dx = slackX >= 0 ? ix - padding : floorDiv(slackX, 2) - padding
        let dy = slackY >= 0 ? iy - padding : floorDiv(slackY, 2) - padding
        let border: BorderMode = switch paddingMode {
        case .constant: .constant(0)
        case .edge: .edge
        case .reflect: .reflect
        }
        return .shift(width: self.width, height: self.height, dx: dx, dy: dy, border: border)
    }

    /// The window must fit in the padded image.
    public func checkInput(width: Int, height: Int) throws(ImageError) {
        guard self.width <= width + 2 * padding, self.height <= height + 2 * padding else {
            throw ImageError("'\(self)' is larger than the \(width)x\(height) image with padding \(padding)")
        }
    }
    public var description: String {
        "random-crop(width=\(width), height=\(height), padding=\(padding), padding_mode=\(paddingMode.rawValue))"
    }
}
