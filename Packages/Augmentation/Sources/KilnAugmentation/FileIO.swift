#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A file that cannot be read or written. One line: the path and the system's reason.
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public var path: String
    /// Why it failed, in the system's words.
    public var message: String

    /// An error about `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }

    static func fromErrno(_ path: String, _ action: String) -> FileError {
        FileError(path: path, message: "cannot \(action): \(String(cString: strerror(errno)))")
    }
}

/// Small POSIX file helpers (no Foundation): whole-file reads and atomic writes.
enum FileIO {
    /// The bytes of the file at `path`, refusing files larger than `limit` bytes.
    static func read(_ path: String, limit: Int = 1 << 31) throws(FileError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw FileError.fromErrno(path, "open") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileError.fromErrno(path, "stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw FileError(path: path, message: "not a regular file") }
        let size = Int(info.st_size)
        guard size <= limit else { throw FileError(path: path, message: "file of \(size) bytes is larger than the limit of \(limit)") }
        var bytes = [UInt8](repeating: 0, count: size)
        var done = 0
        var failed = false
        bytes.withUnsafeMutableBytes { buffer in
            while done < size {
                let n = Glibc_read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 { if errno == EINTR { continue }; failed = true; break }
                if n == 0 { break }
                done += n
            }
        }
        if failed { throw FileError.fromErrno(path, "read") }
        if done < size { bytes.removeLast(size - done) }
        return bytes
    }

    /// Writes `bytes` to `path` atomically: to a temporary file in the same folder, then
    /// renamed over `path`, so readers (and a crashed writer) leave the old file or the
    /// whole new one, never a partial file. `durable` also flushes the data to the disk
    /// (`fsync`) before the rename (slower; survives power loss).
    static func writeAtomically(_ bytes: UnsafeRawBufferPointer, to path: String, durable: Bool = false) throws(FileError) {
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw FileError.fromErrno(path, "create a temporary file") }
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                let error = FileError.fromErrno(path, "write")
                close(fd)
                unlink(temporary)
                throw error
            }
            done += n
        }
        if (durable && fsync(fd) != 0) || close(fd) != 0 {
            let error = FileError.fromErrno(path, "flush")
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = FileError.fromErrno(path, "rename the temporary file into place")
            unlink(temporary)
            throw error
        }
    }
}

@inline(__always)
private func Glibc_read(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int {
    read(fd, p, n)
}
