#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file could not be written; the description is one line naming the path and the cause.
public struct PlotWriteError: Error, CustomStringConvertible, Sendable {
    /// The file that could not be written.
    public let path: String
    /// Why, in the system's words.
    public let reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}

/// Writes `text` (UTF-8) to `path` so that readers see either the old file or the complete
/// new one, never a partial file: the bytes go to a temporary file in the same directory
/// (`.<name>.tmp-XXXXXX`, created with `mkstemp`), are flushed with `fsync`, and the
/// temporary file is renamed over `path` (atomic within one file system). On any error the
/// temporary file is removed and ``PlotWriteError`` is thrown.
public func writeAtomically(_ text: String, to path: String) throws {
    guard !path.isEmpty else { throw PlotWriteError(path: path, reason: "empty path") }
    let slash = path.lastIndex(of: "/")
    let directory = slash.map { String(path[...$0]) } ?? ""
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    guard !name.isEmpty else { throw PlotWriteError(path: path, reason: "path names a directory") }
    var template = Array((directory + "." + name + ".tmp-XXXXXX").utf8CString)
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else { throw PlotWriteError(path: path, reason: errorText()) }
    let temporary = String(cString: template.map { UInt8(bitPattern: $0) })
    var failure: String?
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { buffer in
        var offset = 0
        while offset < buffer.count {
            let n = Glue.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errorText(); return
            }
            offset += n
        }
    }
    // mkstemp creates 0600; give the file the usual permissions (rw-r--r-- before umask).
    if failure == nil {
        let mask = umask(0); umask(mask)
        if fchmod(fd, 0o666 & ~mask) != 0 { failure = errorText() }
    }
    if failure == nil, fsync(fd) != 0 { failure = errorText() }
    if close(fd) != 0, failure == nil { failure = errorText() }
    if failure == nil, rename(temporary, path) != 0 { failure = errorText() }
    if let failure {
        unlink(temporary)
        throw PlotWriteError(path: path, reason: failure)
    }
}

private func errorText() -> String { String(cString: strerror(errno)) }

/// Disambiguates the C `write` from methods named `write`.
private enum Glue {
    static func write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Darwin)
        return Darwin.write(fd, buffer, count)
        #elseif canImport(Musl)
        return Musl.write(fd, buffer, count)
        #else
        return Glibc.write(fd, buffer, count)
        #endif
    }
}
