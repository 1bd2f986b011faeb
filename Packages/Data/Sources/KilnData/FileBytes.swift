#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and writes through POSIX calls, with errors as ``DataError``.
enum FileBytes {
    static func errnoText() -> String { String(cString: strerror(errno)) }

    /// The bytes of the regular file at `path`; files larger than `limit` are refused.
    static func read(_ path: String, limit: Int) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            throw DataError(e == ENOENT ? .missingFile : .unreadable, file: path,
                            e == ENOENT ? "no such file" : "cannot open: \(errnoText())")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw DataError(.unreadable, file: path, "cannot stat: \(errnoText())") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw DataError(.unreadable, file: path, (info.st_mode & S_IFMT) == S_IFDIR ? "is a directory, not a file" : "not a regular file")
        }
        let size = Int(info.st_size)
        guard size <= limit else {
            throw DataError(.badDimensions, file: path, "file of \(size) bytes is larger than the limit of \(limit) bytes")
        }
        var failure: String?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var total = 0
            while total < size {
                let n = Glibc_read(fd, buffer.baseAddress! + total, size - total)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "read failed: \(errnoText())"
                    break
                }
                if n == 0 { break }   // the file shrank while we read it
                total += n
            }
            count = total
        }
        if let failure { throw DataError(.unreadable, file: path, failure) }
        return bytes
    }

    /// Writes `bytes` to `path` (created or truncated).
    static func write(_ bytes: [UInt8], to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DataError(.unreadable, file: path, "cannot create: \(errnoText())") }
        defer { close(fd) }
        try bytes.withUnsafeBufferPointer { buffer in
            var total = 0
            while total < buffer.count {
                let n = Glibc_write(fd, buffer.baseAddress! + total, buffer.count - total)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw DataError(.unreadable, file: path, "write failed: \(errnoText())")
                }
                total += n
            }
        }
    }

    /// Whether a regular file exists at `path`.
    static func isFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Whether a directory exists at `path`.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }
}

@inline(__always) private func Glibc_read(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { read(fd, p, n) }
@inline(__always) private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
