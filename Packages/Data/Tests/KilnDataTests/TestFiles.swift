import CZlib
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
@testable import KilnData

/// A fresh temporary directory for one test (removed by `cleanup()`).
struct TempDirectory {
    let path: String

    init() {
        var template = Array("/tmp/kiln-data-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(cString: template.withUnsafeBufferPointer { $0.baseAddress! })
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ bytes: [UInt8], to name: String) throws {
        try FileBytes.write(bytes, to: file(name))
    }

    /// Writes `bytes` gzip-compressed with zlib's own gzopen/gzwrite (independent of KilnData's deflate).
    func writeGzip(_ bytes: [UInt8], to name: String) {
        guard let gz = gzopen(file(name), "wb") else { fatalError("gzopen failed") }
        let written = bytes.withUnsafeBytes { gzwrite(gz, $0.baseAddress, UInt32($0.count)) }
        precondition(Int(written) == bytes.count || bytes.isEmpty, "gzwrite failed")
        gzclose(gz)
    }

    func read(_ name: String) throws -> [UInt8] { try FileBytes.read(file(name), limit: 1 << 30) }

    func remove(_ name: String) { unlink(file(name)) }

    func cleanup() {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(cString: raw.bindMemory(to: CChar.self).baseAddress!)
                }
                if name != "." && name != ".." { unlink(file(name)) }
            }
            closedir(dir)
        }
        rmdir(path)
    }
}

/// Raw IDX bytes with an arbitrary header (for malformed files).
func idxBytes(type: UInt8 = 0x08, dimensions: [UInt32], data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
    for d in dimensions { out += [UInt8(d >> 24), UInt8((d >> 16) & 0xFF), UInt8((d >> 8) & 0xFF), UInt8(d & 0xFF)] }
    return out + data
}

/// A small labelled image set: `n` images of `rows x columns`, labels `i % classes`.
func sampleFiles(n: Int, rows: Int = 3, columns: Int = 2, classes: Int = 3) -> (images: IDXFile, labels: IDXFile) {
    let pixels = (0..<(n * rows * columns)).map { UInt8(($0 * 37 + 11) % 256) }
    let labels = (0..<n).map { UInt8($0 % classes) }
    return (IDXFile(dimensions: [n, rows, columns], data: pixels), IDXFile(dimensions: [n], data: labels))
}

/// The DataError `body` throws (nil if it returns, or throws something else).
func dataError(_ body: () throws -> Any) -> DataError? {
    do {
        _ = try body()
        return nil
    } catch let error as DataError {
        return error
    } catch {
        return nil
    }
}
