import CLibPNG
import KilnFiles

/// PNG decoding and encoding through libpng's simplified API.
///
/// The simplified API (`png_image_begin_read_from_memory`, `png_image_finish_read`,
/// `png_image_write_to_memory`) reports failures in the `png_image` struct instead of
/// `longjmp`, which Swift cannot catch. Every PNG libpng reads decodes here: all colour
/// types, bit depths 1-16, palettes, `tRNS`, interlacing; 16-bit samples are converted to
/// 8-bit sRGB by libpng.
///
/// Facts the wrapper relies on (libpng 1.6):
/// - When the output format has no alpha channel but the image has transparency, libpng
///   composites onto what is already in the buffer (background `NULL`), so the buffer is
///   zeroed first: transparent pixels come out black.
/// - The buffer size (`PNG_IMAGE_SIZE`) depends on the format, so it is computed after
///   the format is set.
/// - `warning_or_error` has two bits: `PNG_IMAGE_ERROR` fails, `PNG_IMAGE_WARNING` alone
///   is a successful decode with a message (reported in ``Decoded/warning``).
///
/// Bounded memory: before libpng sees the data, a scan of the chunk structure rejects an
/// image whose IHDR declares more than `pixelLimit` pixels (default 64 Mpixel) and any
/// chunk whose declared length is more than the bytes left in the file (libpng would
/// otherwise try to allocate it).
public enum PNG {
    /// The default pixel limit: 64 Mpixel (`64 * 1024 * 1024`).
    public static let defaultPixelLimit = 64 * 1024 * 1024

    /// A decoded image and libpng's warning, if it issued one.
    public struct Decoded: Sendable {
        /// The decoded image.
        public var image: Image
        /// libpng's warning (a damaged but decodable file), or nil.
        public var warning: String?
    }

    /// The header facts of a PNG, from `png_image_begin_read_from_memory`.
    public struct Info: Sendable, Equatable {
        /// The width in pixels, from IHDR.
        public var width: Int
        /// The height in pixels, from IHDR.
        public var height: Int
        /// The channel count of the natural 8-bit form: 1 for gray without transparency,
        /// 3 for colour without transparency, 4 for anything with alpha or `tRNS`.
        public var channels: Int
        /// Whether the image has colour (RGB or a colour palette); false for grey, with or
        /// without transparency.
        public var isColor: Bool = false
    }

    /// Decodes PNG bytes into an 8-bit image with `channels` channels (1 gray, 3 RGB,
    /// 4 RGBA), or the image's natural channel count (see ``Info/channels``) when nil.
    /// Colour to gray is libpng's conversion (sRGB luminance); transparency is composited
    /// onto black when the output has no alpha. `name` labels errors.
    public static func decode(
        _ bytes: [UInt8], channels: Int? = nil, name: String = "<memory>", pixelLimit: Int = defaultPixelLimit
    ) throws -> Image {
        try decodeDetailed(bytes, channels: channels, name: name, pixelLimit: pixelLimit).image
    }

    /// Reads and decodes the PNG file at `path` (see ``decode(_:channels:name:pixelLimit:)``);
    /// errors carry the path.
    public static func decode(
        contentsOf path: String, channels: Int? = nil, pixelLimit: Int = defaultPixelLimit
    ) throws -> Image {
        try decodeDetailed(contentsOf: path, channels: channels, pixelLimit: pixelLimit).image
    }

    /// ``decode(contentsOf:channels:pixelLimit:)`` that also returns libpng's warning.
    public static func decodeDetailed(
        contentsOf path: String, channels: Int? = nil, pixelLimit: Int = defaultPixelLimit
    ) throws -> Decoded {
        let bytes: [UInt8]
        do { bytes = try FileReader.read(path, limit: 1 << 30) } catch {
            throw PNGError(kind: .file, file: path, message: error.message)
        }
        return try decodeDetailed(bytes, channels: channels, name: path, pixelLimit: pixelLimit)
    }

    /// ``decode(_:channels:name:pixelLimit:)`` that also returns libpng's warning.
    public static func decodeDetailed(
        _ bytes: [UInt8], channels: Int? = nil, name: String = "<memory>", pixelLimit: Int = defaultPixelLimit
    ) throws -> Decoded {
        if let channels, ![1, 3, 4].contains(channels) {
            throw PNGError(kind: .file, file: name, message: "channels must be 1, 3 or 4, got \(channels)")
        }
        try prescan(bytes, name: name, pixelLimit: pixelLimit)
        return try bytes.withUnsafeBytes { raw throws -> Decoded in
            var image = png_image()
            image.version = kiln_png_image_version
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0,
                  kiln_png_image_failed(&image) == 0 else {
                let message = Self.message(of: &image)
                png_image_free(&image)
                throw PNGError(kind: .begin, file: name, message: message)
            }
            let width = Int(image.width), height = Int(image.height)
            guard width * height <= pixelLimit else {
                png_image_free(&image)
                throw PNGError(kind: .pixelLimit, file: name,
                               message: "\(width)x\(height) is over the pixel limit of \(pixelLimit)")
            }
            let natural = Self.naturalChannels(format: image.format)
            let outChannels = channels ?? natural
            image.format = outChannels == 1 ? kiln_png_format_gray : outChannels == 3 ? kiln_png_format_rgb : kiln_png_format_rgba
            let size = kiln_png_image_size(&image)   // after setting the format
            var pixels = [UInt8](repeating: 0, count: size)   // zeroed: libpng composites onto it
            let ok = pixels.withUnsafeMutableBytes { out in
                png_image_finish_read(&image, nil, out.baseAddress, 0, nil)
            }
            // finish_read frees libpng's state itself; png_image_free is safe to repeat.
            let failed = ok == 0 || kiln_png_image_failed(&image) != 0
            let warned = (image.warning_or_error & kiln_png_image_warning) != 0
            let message = failed || warned ? Self.message(of: &image) : nil
            png_image_free(&image)
            if failed { throw PNGError(kind: .finish, file: name, message: message ?? "unknown error") }
            return Decoded(image: Image(unchecked: width, height, outChannels, pixels), warning: message)
        }
    }

    /// The header of a PNG (size and natural channel count) without decoding pixels.
    public static func info(_ bytes: [UInt8], name: String = "<memory>", pixelLimit: Int = defaultPixelLimit) throws -> Info {
        try prescan(bytes, name: name, pixelLimit: pixelLimit)
        return try bytes.withUnsafeBytes { raw throws -> Info in
            var image = png_image()
            image.version = kiln_png_image_version
            defer { png_image_free(&image) }
            guard png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count) != 0,
                  kiln_png_image_failed(&image) == 0 else {
                throw PNGError(kind: .begin, file: name, message: Self.message(of: &image))
            }
            return Info(width: Int(image.width), height: Int(image.height), channels: naturalChannels(format: image.format),
                        isColor: image.format & kiln_png_format_flag_color != 0)
        }
    }

    /// Encodes an 8-bit gray, RGB or RGBA image as PNG bytes.
    public static func encode(_ image: Image) throws -> [UInt8] {
        guard image.width > 0, image.height > 0 else {
            throw PNGError(kind: .write, file: "<memory>", message: "cannot encode an empty \(image.width)x\(image.height) image")
        }
        guard image.width <= Int(Int32.max) / image.channels, image.height <= Int(Int32.max) else {
            throw PNGError(kind: .write, file: "<memory>", message: "\(image.width)x\(image.height) is too large to encode")
        }
        var png = png_image()
        png.version = kiln_png_image_version
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = image.channels == 1 ? kiln_png_format_gray : image.channels == 3 ? kiln_png_format_rgb : kiln_png_format_rgba
        var capacity = kiln_png_image_png_size_max(&png)
        var out = [UInt8](repeating: 0, count: capacity)
        let ok = out.withUnsafeMutableBytes { dst in
            image.pixels.withUnsafeBytes { src in
                png_image_write_to_memory(&png, dst.baseAddress, &capacity, 0, src.baseAddress, 0, nil)
            }
        }
        if ok == 0 || kiln_png_image_failed(&png) != 0 {
            let message = Self.message(of: &png)
            png_image_free(&png)
            throw PNGError(kind: .write, file: "<memory>", message: message)
        }
        png_image_free(&png)
        out.removeLast(out.count - capacity)
        return out
    }

    /// Encodes `image` and writes it to `path` atomically (temporary file, then rename;
    /// not synced to the disk: KilnFiles' ``/KilnFiles/AtomicFile`` with `durable: false`,
    /// because commands write images by the thousand and can write them again).
    public static func write(_ image: Image, to path: String) throws {
        var bytes: [UInt8]
        do { bytes = try encode(image) } catch var error as PNGError {
            error.file = path
            throw error
        }
        do {
            try AtomicFile.write(bytes, to: path, durable: false)
        } catch {
            throw PNGError(kind: .file, file: path, message: error.message)
        }
        bytes = []
    }

    // MARK: - Internals

    private static func naturalChannels(format: UInt32) -> Int {
        if format & kiln_png_format_flag_alpha != 0 { return 4 }
        return format & kiln_png_format_flag_color != 0 ? 3 : 1
    }

    private static func message(of image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            let text = String(decoding: bytes, as: UTF8.self)
            return text.isEmpty ? "unknown error" : text
        }
    }

    /// Walks the chunk structure before libpng does: rejects a declared image larger than
    /// `pixelLimit` (from IHDR) and a chunk longer than the bytes left. Anything else
    /// malformed (bad signature, CRCs, chunk order) is left for libpng to report.
    static func prescan(_ bytes: [UInt8], name: String, pixelLimit: Int) throws {
        let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]
        // libpng reports an empty buffer as "invalid argument"; say what it is.
        if bytes.isEmpty { throw PNGError(kind: .begin, file: name, message: "empty file (0 bytes), not a PNG") }
        guard bytes.count >= 8, bytes.prefix(8).elementsEqual(signature) else { return }
        try bytes.withUnsafeBufferPointer { p throws in
            @inline(__always) func be32(_ i: Int) -> Int {
                Int(p[i]) << 24 | Int(p[i + 1]) << 16 | Int(p[i + 2]) << 8 | Int(p[i + 3])
            }
            var offset = 8
            var first = true
            while offset + 8 <= p.count {
                let length = be32(offset)
                let type = String(decoding: p[(offset + 4)..<(offset + 8)].map { (0x20...0x7e).contains($0) ? $0 : 0x3f }, as: UTF8.self)
                let left = p.count - offset - 12   // after this chunk's length, type and CRC
                if length > left {
                    throw PNGError(kind: .truncatedChunk, file: name,
                                   message: "chunk '\(type)' at byte \(offset) declares \(length) bytes but only \(max(left, 0)) are left in the file")
                }
                if first, type == "IHDR", length >= 8 {
                    let width = be32(offset + 8), height = be32(offset + 12)
                    let (pixels, overflow) = width.multipliedReportingOverflow(by: height)
                    if overflow || pixels > pixelLimit {
                        throw PNGError(kind: .pixelLimit, file: name,
                                       message: "\(width)x\(height) is over the pixel limit of \(pixelLimit)")
                    }
                }
                first = false
                if type == "IEND" { return }
                offset += 12 + length
            }
        }
    }
}
