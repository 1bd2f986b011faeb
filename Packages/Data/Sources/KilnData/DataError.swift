/// A problem with data a user supplied: a file that is missing, unreadable, corrupt or
/// inconsistent, or an argument (split size, batch size) that cannot be honoured.
///
/// `description` is one line that names the file (when there is one) and says what is
/// wrong, e.g. `train-labels-idx1-ubyte.gz: truncated: header says 60000 values, file has
/// 59999`. `kind` lets code and tests tell the cases apart without parsing the text.
public struct DataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: String, Sendable, Equatable {
        /// A file or directory does not exist (or a directory lacks expected files).
        case missingFile
        /// The file exists but cannot be read (permissions, a directory, I/O error).
        case unreadable
        /// Neither gzip nor IDX, or an IDX element type other than unsigned bytes, or
        /// an IDX file of the wrong rank for its role (labels vs images).
        case badMagic
        /// A zero dimension, a rank of 0, or a size that does not fit the limit.
        case badDimensions
        /// Less data than the header promises (or a header cut short).
        case truncated
        /// More data than the header promises.
        case tooLong
        /// The gzip stream is damaged (zlib's message is in the description).
        case corruptGzip
        /// A label is not below the number of classes.
        case labelOutOfRange
        /// Images and labels disagree in count.
        case countMismatch
        /// A bad argument: split sizes, batch size, an empty dataset to fit, shapes.
        case invalidArgument
    }

    /// What went wrong.
    public var kind: Kind
    /// The file (path or name) concerned, if any.
    public var file: String?
    /// What is wrong, without the file name.
    public var message: String

    /// An error of `kind` about `file` (nil when no file is concerned) with `message`.
    public init(_ kind: Kind, file: String? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.message = message
    }

    /// `"<file>: <message>"`, or the message alone.
    public var description: String {
        if let file { return "\(file): \(message)" }
        return message
    }
}
