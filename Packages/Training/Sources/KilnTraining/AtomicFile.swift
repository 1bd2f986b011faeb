import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Crash-safe file replacement: the bytes go to a temporary file next to the destination
/// (`.<name>.tmp-<pid>-<n>`), are flushed to disk with `fsync`, and the temporary file is
/// renamed over the destination (atomic on POSIX file systems); the directory is then
/// synced so the rename itself survives a power loss. Readers see the old file or the
/// new one, never a mixture; on any failure the temporary file is removed.
public enum AtomicFile {
    nonisolated(unsafe) private static var counter = 0
    private static let lock = NSLock()

    /// Writes `bytes` to `path` through a temporary file that is synced and renamed into place;
    /// throws `AtomicFileError`.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        removeStaleTemporaries(of: url.lastPathComponent, in: directory)
        let n: Int = lock.withLock { counter += 1; return counter }
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(n)"
        var fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 && errno == EEXIST {
            // Left by a killed process that had this pid before us (our counter is unique
            // within this process): stale, so replace it.
            unlink(temporary)
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw AtomicFileError(path: path, message: "cannot create \(temporary): \(String(cString: strerror(errno)))") }
        var ok = false
        defer {
            if !ok { unlink(temporary) }
        }
        var written = 0
        try bytes.withUnsafeBytes { raw in
            while written < raw.count {
                let r = Glibc.write(fd, raw.baseAddress! + written, raw.count - written)
                if r < 0 {
                    if errno == EINTR { continue }
                    let message = String(cString: strerror(errno))
                    close(fd)
                    throw AtomicFileError(path: path, message: "write failed: \(message)")
                }
                written += r
            }
        }
        if fsync(fd) != 0 {
            let message = String(cString: strerror(errno))
            close(fd)
            throw AtomicFileError(path: path, message: "fsync failed: \(message)")
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            throw AtomicFileError(path: path, message: "rename failed: \(String(cString: strerror(errno)))")
        }
        ok = true
        let dfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            close(dfd)
        }
    }

    /// Removes the temporary files that writers of `name` killed mid-write left behind
    /// (`.<name>.tmp-<pid>-<n>` whose process no longer exists), so a training run killed
    /// again and again does not fill its folder. Files of live processes stay.
    static func removeStaleTemporaries(of name: String, in directory: String) {
        let prefix = "." + name + ".tmp-"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            guard let pid = Int32(entry.dropFirst(prefix.count).prefix { $0 != "-" }), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                unlink((directory.isEmpty ? "." : directory) + "/" + entry)
            }
        }
    }

    /// Writes UTF-8 text atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }
}

/// A file that could not be written atomically; the description is one line, the path and the
/// cause.
public struct AtomicFileError: Error, CustomStringConvertible, Sendable {
    /// The destination path.
    public var path: String
    /// What failed, in the system's words.
    public var message: String
    public var description: String { "\(path): \(message)" }
}
