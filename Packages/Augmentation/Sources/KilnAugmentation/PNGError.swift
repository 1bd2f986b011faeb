/// A PNG that cannot be decoded or encoded. One line when printed: the file (or
/// `<memory>`), where it failed and the reason, libpng's own message for libpng failures:
/// `xs1n0g01.png: libpng: Not a PNG file`.
public struct PNGError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where the failure was found.
    public enum Kind: String, Sendable, Equatable {
        /// libpng refused it while reading the header (`png_image_begin_read_from_memory`).
        case begin
        /// libpng refused it while decoding the pixels (`png_image_finish_read`).
        case finish
        /// libpng refused to encode (`png_image_write_to_memory`).
        case write
        /// Width x height over the pixel limit, checked from IHDR before decoding.
        case pixelLimit
        /// A chunk declares more bytes than the file has left (found before decoding).
        case truncatedChunk
        /// The file could not be read or written.
        case file
    }

    /// Where the failure was found.
    public var kind: Kind
    /// The file name, or `<memory>` for in-memory data.
    public var file: String
    /// libpng's message for `.begin`, `.finish` and `.write`; ours otherwise.
    public var message: String

    /// An error of `kind` about `file` with `message`.
    public init(kind: Kind, file: String, message: String) {
        self.kind = kind
        self.file = file
        self.message = message
    }

    public var description: String {
        switch kind {
        case .begin, .finish, .write: return "\(file): libpng: \(message)"
        default: return "\(file): \(message)"
        }
    }
}
