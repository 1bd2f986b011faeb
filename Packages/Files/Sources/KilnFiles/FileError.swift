#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that could not be read or written: the path, what kind of failure it was, and
/// the reason in words. The description is one line, `PATH: MESSAGE`, which the example
/// programs print as their error line.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers that map failures to their own error kinds.
    public enum Kind: Sendable, Equatable {
        /// Nothing exists at the path.
        case missing
        /// The path exists but is a directory or another non-regular file.
        case notAFile
        /// The file is larger than the caller's limit.
        case tooLarge
        /// The file exists but could not be opened or read.
        case unreadable
        /// The file (or its temporary) could not be created, written, synced or renamed.
        case unwritable
    }

    /// The file.
    public var path: String
    /// What kind of failure this is.
    public var kind: Kind
    /// Why it failed, in words (the system's words where the system said why).
    public var message: String

    /// An error about `path`.
    public init(path: String, kind: Kind, message: String) {
        self.path = path
        self.kind = kind
        self.message = message
    }

    public var description: String { "\(path): \(message)" }

    /// An error whose message is `action` and the C library's text for the current `errno`.
    static func system(_ path: String, _ kind: Kind, _ action: String) -> FileError {
        FileError(path: path, kind: kind, message: "\(action): \(String(cString: strerror(errno)))")
    }
}
