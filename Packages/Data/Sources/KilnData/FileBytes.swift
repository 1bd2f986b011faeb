import KilnFiles

/// KilnFiles' reader and atomic writer with their errors as ``DataError``s, so the data
/// loaders throw one error type.
enum FileBytes {
    /// The bytes of the regular file at `path`; files larger than `limit` are refused.
    static func read(_ path: String, limit: Int) throws(DataError) -> [UInt8] {
        do { return try FileReader.read(path, limit: limit) } catch { throw DataError(error) }
    }

    /// Writes `bytes` to `path` atomically (KilnFiles' ``/KilnFiles/AtomicFile``, durable).
    static func write(_ bytes: [UInt8], to path: String) throws(DataError) {
        do { try AtomicFile.write(bytes, to: path) } catch { throw DataError(error) }
    }

    /// Whether a regular file exists at `path`.
    static func isFile(_ path: String) -> Bool { FileReader.isFile(path) }

    /// Whether a directory exists at `path`.
    static func isDirectory(_ path: String) -> Bool { FileReader.isDirectory(path) }
}

extension DataError {
    /// A file failure as a data error of the matching kind, with the same one-line message.
    init(_ error: FileError) {
        let kind: Kind
        switch error.kind {
        case .missing: kind = .missingFile
        case .tooLarge: kind = .badDimensions
        case .notAFile, .unreadable, .unwritable: kind = .unreadable
        }
        self.init(kind, file: error.path, error.message)
    }
}
