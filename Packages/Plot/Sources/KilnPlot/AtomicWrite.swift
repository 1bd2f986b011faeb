import KilnFiles

/// A chart that could not be written: KilnFiles' ``/KilnFiles/FileError``, whose description
/// is one line naming the path and the cause.
public typealias PlotWriteError = FileError

/// Writes `text` (UTF-8) to `path` so that readers see either the old file or the complete
/// new one, never a partial file: KilnFiles' ``/KilnFiles/AtomicFile`` (a temporary file in
/// the same directory, `fsync`, `rename`, then the directory synced). On any error the
/// temporary file is removed and ``PlotWriteError`` is thrown.
public func writeAtomically(_ text: String, to path: String) throws(PlotWriteError) {
    try AtomicFile.write(text, to: path)
}
