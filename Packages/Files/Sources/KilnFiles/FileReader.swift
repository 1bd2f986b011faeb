#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads through POSIX calls (no Foundation), the one reader every Kiln package
/// uses for data, images and model files.
///
/// A read opens the path, refuses anything that is not a regular file (a directory, a
/// FIFO that would block) and any file larger than the caller's `limit` *before* reading a
/// byte, then reads until end of file, retrying interrupted calls. A file that shrinks
/// while it is read gives what was there; one that grows gives its first `size` bytes.
/// Reads do not `fsync`: durability is the writer's business (``AtomicFile``).
public enum FileReader {
    /// The bytes of the regular file at `path`; throws ``FileError`` (kind `.missing`,
    /// `.notAFile`, `.tooLarge` or `.unreadable`) with one line naming the path.
    public static func read(_ path: String, limit: Int = 1 << 31) throws(FileError) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused just below);
        // it has no effect on the reads of a regular file.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            if errno == ENOENT { throw FileError(path: path, kind: .missing, message: "no such file") }
            throw FileError.system(path, .unreadable, "cannot open")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileError.system(path, .unreadable, "cannot stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            let what = (info.st_mode & S_IFMT) == S_IFDIR ? "is a directory, not a file" : "not a regular file"
            throw FileError(path: path, kind: .notAFile, message: what)
        }
        let size = Int(info.st_size)
        guard size <= limit else {
            throw FileError(path: path, kind: .tooLarge, message: "file of \(size) bytes is larger than the limit of \(limit) bytes")
        }
        var failed = false
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var total = 0
            while total < size {
                let n = systemRead(fd, buffer.baseAddress! + total, size - total)
                if n < 0 {
                    if errno == EINTR { continue }
                    failed = true
                    break
                }
                if n == 0 { break }   // the file shrank while we read it
                total += n
            }
            count = total
        }
        if failed { throw FileError.system(path, .unreadable, "read failed") }
        return bytes
    }

    /// Whether a regular file exists at `path` (following symbolic links).
    public static func isFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Whether a directory exists at `path` (following symbolic links).
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}

@inline(__always)
private func systemRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { read(fd, p, n) }
