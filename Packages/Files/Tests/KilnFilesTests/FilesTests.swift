#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import KilnFiles
import Testing

/// A fresh temporary folder, removed (with its files) when the test ends.
final class Folder {
    let path: String
    init() {
        var template = Array("/tmp/kiln-files-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }
    deinit { _ = system("rm -rf '\(path)'") }
    func file(_ name: String) -> String { path + "/" + name }
    /// The names in the folder, hidden ones included, sorted.
    var entries: [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}

@Suite struct AtomicFileTests {
    @Test func writesThenReadsBackAndLeavesNoTemporary() throws {
        let folder = Folder()
        for durable in [true, false] {
            let bytes = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            try AtomicFile.write(bytes, to: folder.file("data.bin"), durable: durable)
            #expect(try FileReader.read(folder.file("data.bin")) == bytes)
            #expect(folder.entries == ["data.bin"])
        }
        try AtomicFile.write("héllo\n", to: folder.file("data.bin"))
        #expect(try FileReader.read(folder.file("data.bin")) == Array("héllo\n".utf8))
    }

    @Test func aFailedWriteChangesNothing() throws {
        let folder = Folder()
        // The destination is a directory: the rename fails, the directory stays, and the
        // temporary file is gone.
        #expect(mkdir(folder.file("taken"), 0o755) == 0)
        #expect(throws: FileError.self) { try AtomicFile.write("x", to: folder.file("taken")) }
        #expect(FileReader.isDirectory(folder.file("taken")))
        #expect(folder.entries == ["taken"])
        // A folder that does not exist: one line naming the path.
        do {
            try AtomicFile.write("x", to: folder.file("missing/f.txt"))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .unwritable)
            #expect(error.description.hasPrefix(folder.file("missing/f.txt") + ": cannot create a temporary file: "))
            #expect(!error.description.contains("\n"))
        }
        #expect(throws: FileError.self) { try AtomicFile.write("x", to: folder.path + "/") }
    }

    @Test func staleTemporariesOfDeadWritersAreRemoved() throws {
        let folder = Folder()
        // pid 2^22 + 1 is above Linux's pid_max limit, so no process has it; pid 1 is alive.
        let dead = folder.file(".model.safetensors.tmp-4194305-1")
        let live = folder.file(".model.safetensors.tmp-1-1")
        try AtomicFile.write("partial", to: dead, durable: false)
        try AtomicFile.write("partial", to: live, durable: false)
        try AtomicFile.write("whole", to: folder.file("model.safetensors"))
        #expect(folder.entries == [".model.safetensors.tmp-1-1", "model.safetensors"])
    }

    @Test func splitsPathsIntoFolderAndName() {
        #expect(AtomicFile.split("bare.txt") == ("", "bare.txt"))
        #expect(AtomicFile.split("/top.txt") == ("/", "top.txt"))
        #expect(AtomicFile.split("runs/a/model.safetensors") == ("runs/a", "model.safetensors"))
        #expect(AtomicFile.split("runs/") == ("runs", ""))
    }
}

@Suite struct FileReaderTests {
    /// The README's and the catalog's example.
    @Test func readmeExample() throws {
        let folder = Folder()
        let path = folder.file("history.csv")
        // snippet files-use
        try AtomicFile.write("epoch,loss\n1,0.52\n", to: path)
        let bytes = try FileReader.read(path, limit: 1 << 20)
        // end snippet
        #expect(String(decoding: bytes, as: UTF8.self) == "epoch,loss\n1,0.52\n")
    }

    @Test func refusesWhatIsNotAReadableRegularFileWithOneLine() throws {
        let folder = Folder()
        func kind(_ path: String, limit: Int = 1 << 20) -> FileError.Kind? {
            do { _ = try FileReader.read(path, limit: limit); return nil } catch { return error.kind }
        }
        #expect(kind(folder.file("none")) == .missing)
        #expect(kind(folder.path) == .notAFile)
        #expect(mkfifo(folder.file("fifo"), 0o644) == 0)
        #expect(kind(folder.file("fifo")) == .notAFile)   // refused at once, not blocked on
        try AtomicFile.write([UInt8](repeating: 7, count: 11), to: folder.file("big"))
        #expect(kind(folder.file("big"), limit: 10) == .tooLarge)
        #expect(try FileReader.read(folder.file("big"), limit: 11).count == 11)
        do {
            _ = try FileReader.read(folder.file("big"), limit: 10)
        } catch {
            #expect(error.description == folder.file("big") + ": file of 11 bytes is larger than the limit of 10 bytes")
        }
        #expect(FileReader.isFile(folder.file("big")))
        #expect(!FileReader.isFile(folder.path))
        #expect(!FileReader.isDirectory(folder.file("none")))
    }
}
