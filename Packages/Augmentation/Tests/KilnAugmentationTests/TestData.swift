import KilnAugmentation

/// The vendored test corpus (Packages/Augmentation/TestData), found from this file's path.
enum TestData {
    static let root: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(3)   // KilnAugmentationTests/TestData.swift, Tests
        return parts.joined(separator: "/") + "/TestData"
    }()

    static let pngSuite = root + "/pngsuite"

    /// One row of expected-libpng-1.6.39-simplified.tsv.
    struct Row: Sendable, CustomStringConvertible {
        var file: String
        var format: String      // RGBA or GRAY
        var ok: Bool
        var flags: String       // -, warning, error, error+warning
        var message: String
        var crc: UInt32
        var description: String { "\(file) \(format)" }
    }

    /// The PngSuite oracle: per file and format, libpng 1.6.39's result and the CRC-32 of
    /// the 8-bit decoded buffer (GRAY composited onto a zeroed buffer).
    static let rows: [Row] = {
        guard let text = try? String(contentsOfFile: pngSuite + "/expected-libpng-1.6.39-simplified.tsv", encoding: .utf8) else {
            return []
        }
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Row(file: f[0], format: f[2], ok: f[3] == "ok", flags: f[4], message: f[5], crc: UInt32(f[6], radix: 16)!)
        }
    }()
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), the checksum zlib's crc32 computes.
func crc32(_ bytes: [UInt8]) -> UInt32 {
    var table = [UInt32](repeating: 0, count: 256)
    for i in 0..<256 {
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        table[i] = c
    }
    var crc: UInt32 = 0xFFFF_FFFF
    for b in bytes { crc = table[Int((crc ^ UInt32(b)) & 0xFF)] ^ (crc >> 8) }
    return crc ^ 0xFFFF_FFFF
}
