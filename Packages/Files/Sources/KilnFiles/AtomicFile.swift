#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Crash-safe file replacement, the one writer every Kiln package uses for model files,
/// checkpoints, histories, charts and images.
///
/// The bytes go to a temporary file next to the destination, `.<name>.tmp-<pid>-<n>`, which
/// is then renamed over the destination. `rename` is atomic on POSIX file systems, so a
/// reader sees the old file or the whole new one, never a mixture, and a writer killed
/// mid-write leaves the old file as it was. On any failure the temporary file is removed
/// and nothing at the destination changes.
///
/// The fsync rule:
/// - `durable: true` (the default) also calls `fsync` on the temporary file before the
///   rename and on the directory after it, so the new file, and the rename itself, survive
///   a power loss. Model files, checkpoints, ensemble manifests, histories and charts use it.
/// - `durable: false` skips both syncs: still atomic against a crashed or killed process,
///   not against a power loss, and much faster when a command writes thousands of small
///   files (`export-png`, `augment-image`), which can be written again.
///
/// Temporary files that a killed writer left behind (their process no longer exists) are
/// removed by the next write to the same destination, so a run killed again and again does
/// not fill its folder.
public enum AtomicFile {
    private static let counter = Atomic<Int>(0)

    /// Writes `bytes` to `path` atomically (see above); throws ``FileError`` of kind
    /// `.unwritable` naming `path`.
    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String, durable: Bool = true) throws(FileError) {
        guard !path.isEmpty else { throw FileError(path: path, kind: .unwritable, message: "empty path") }
        let (directory, name) = split(path)
        guard !name.isEmpty else { throw FileError(path: path, kind: .unwritable, message: "path names a directory") }
        removeStaleTemporaries(of: name, in: directory)
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        let temporary = (directory.isEmpty ? "" : directory + "/") + "." + name + ".tmp-\(getpid())-\(n)"
        var fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 && errno == EEXIST {
            // Left by a killed process that had our pid before us (the counter is unique
            // within this process): stale, so replace it.
            unlink(temporary)
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else { throw FileError.system(path, .unwritable, "cannot create a temporary file") }
        var done = 0
        while done < bytes.count {
            let written = systemWrite(fd, bytes.baseAddress! + done, bytes.count - done)
            if written < 0 {
                if errno == EINTR { continue }
                let error = FileError.system(path, .unwritable, "write failed")
                close(fd)
                unlink(temporary)
                throw error
            }
            done += written
        }
        if durable && fsync(fd) != 0 {
            let error = FileError.system(path, .unwritable, "fsync failed")
            close(fd)
            unlink(temporary)
            throw error
        }
        if close(fd) != 0 {
            let error = FileError.system(path, .unwritable, "close failed")
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = FileError.system(path, .unwritable, "cannot rename the temporary file into place")
            unlink(temporary)
            throw error
        }
        if durable { syncDirectory(directory.isEmpty ? "." : directory) }
    }

    /// Writes `bytes` to `path` atomically (see above).
    public static func write(_ bytes: [UInt8], to path: String, durable: Bool = true) throws(FileError) {
        // `withUnsafeBytes` rethrows as `any Error`; carry the typed error out by hand.
        var failure: FileError?
        bytes.withUnsafeBytes { raw in
            do throws(FileError) { try write(raw, to: path, durable: durable) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Writes UTF-8 `text` to `path` atomically (see above).
    public static func write(_ text: String, to path: String, durable: Bool = true) throws(FileError) {
        try write(Array(text.utf8), to: path, durable: durable)
    }

    /// Flushes a directory's entries (a rename or a new file in it) to the disk. Best
    /// effort: a file system that cannot sync directories is not an error.
    public static func syncDirectory(_ directory: String) {
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dfd >= 0 else { return }
        _ = fsync(dfd)
        close(dfd)
    }

    /// The folder part (without the trailing slash; empty for a bare name) and the name.
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    /// Removes `.<name>.tmp-<pid>-<n>` files in `directory` whose process no longer exists.
    /// Files of live processes (another writer at work) stay.
    static func removeStaleTemporaries(of name: String, in directory: String) {
        let prefix = "." + name + ".tmp-"
        let folder = directory.isEmpty ? "." : directory
        guard let dir = opendir(folder) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let entryName = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
            }
            guard entryName.hasPrefix(prefix),
                  let pid = Int32(entryName.dropFirst(prefix.count).prefix { $0 != "-" }), pid != getpid()
            else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(folder + "/" + entryName) }
        }
    }
}

@inline(__always)
private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
