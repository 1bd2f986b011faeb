import Foundation

/// Checks, before any work starts, that an output file can be written at `path`: its
/// folder exists and is writable, and `path` is not a folder. Training for ten minutes and
/// then failing to save is the failure this prevents. Throws an ``ExampleError`` naming
/// the flag (exit status 1). The write itself stays atomic (temporary file, rename).
public func checkOutputFile(_ path: String?, flag: String) throws {
    guard let path else { return }
    guard !path.isEmpty else { throw ExampleError("\(flag): empty file name") }
    let manager = FileManager.default
    var isDirectory: ObjCBool = false
    if manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw ExampleError("\(flag) \(path): is a directory, not a file")
    }
    let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
    guard manager.fileExists(atPath: parent, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ExampleError("\(flag) \(path): the directory \(parent) does not exist")
    }
    guard manager.isWritableFile(atPath: parent) else {
        throw ExampleError("\(flag) \(path): the directory \(parent) is not writable")
    }
}
