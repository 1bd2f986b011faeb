/// An image argument that cannot be used: a bad channel count, a negative size, a pixel
/// buffer or tensor of the wrong length. One line when printed.
public struct ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in one line.
    public var message: String

    /// An error with the given message.
    public init(_ message: String) { self.message = message }

    public var description: String { "image: \(message)" }

    /// `width * height * channels` for a valid geometry (no overflow, 1/3/4 channels).
    static func sampleCount(width: Int, height: Int, channels: Int) throws(ImageError) -> Int {
        guard [1, 3, 4].contains(channels) else {
            throw ImageError("channels must be 1 (gray), 3 (RGB) or 4 (RGBA), got \(channels)")
        }
        guard width >= 0, height >= 0 else { throw ImageError("size must not be negative, got \(width)x\(height)") }
        let (area, o1) = width.multipliedReportingOverflow(by: height)
        let (count, o2) = area.multipliedReportingOverflow(by: channels)
        guard !o1, !o2 else { throw ImageError("\(width)x\(height)x\(channels) is too large") }
        return count
    }

    static func check(width: Int, height: Int, channels: Int, count: Int) throws(ImageError) {
        guard [1, 3, 4].contains(channels) else {
            throw ImageError("channels must be 1 (gray), 3 (RGB) or 4 (RGBA), got \(channels)")
        }
        guard width >= 0, height >= 0 else { throw ImageError("size must not be negative, got \(width)x\(height)") }
        let (area, o1) = width.multipliedReportingOverflow(by: height)
        let (expected, o2) = area.multipliedReportingOverflow(by: channels)
        guard !o1, !o2, expected == count else {
            throw ImageError("\(width)x\(height)x\(channels) needs \(o1 || o2 ? "too many" : String(expected)) samples, got \(count)")
        }
    }
}
