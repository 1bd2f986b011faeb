/// Incremental IDX parsing: bytes arrive in chunks (from zlib or a whole raw file); the
/// header is validated as soon as it is complete, and the data buffer then grows up to
/// exactly the size the header announces and no further.
struct IDXDecoder {
    let name: String
    let maximumDataSize: Int
    let compressed: Bool
    /// An estimate of the decoded size, to reserve once (capped by the header's size).
    let sizeHint: Int
    /// The whole input size, for raw files (exact messages on length errors).
    let inputSize: Int?

    private var header: [UInt8] = []
    private var dimensions: [Int]?
    private var expected = 0
    private var data: [UInt8] = []

    init(name: String, maximumDataSize: Int, compressed: Bool, sizeHint: Int, inputSize: Int? = nil) {
        self.name = name
        self.maximumDataSize = maximumDataSize
        self.compressed = compressed
        self.sizeHint = sizeHint
        self.inputSize = inputSize
    }

    static func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// The first (up to) four bytes as a big-endian hex number for messages.
    static func magicText(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var v: UInt32 = 0
        for i in 0..<min(4, bytes.count) { v = v << 8 | UInt32(bytes[i]) }
        if bytes.count < 4 {
            return "0x" + bytes.prefix(4).map { b in
                let s = String(b, radix: 16)
                return s.count == 1 ? "0" + s : s
            }.joined()
        }
        return hex(v)
    }

    private var what: String { compressed ? "decompressed data" : "file" }

    mutating func consume(_ chunk: UnsafeBufferPointer<UInt8>) throws {
        var rest = chunk[...]
        if dimensions == nil {
            while dimensions == nil, let byte = rest.first {
                header.append(byte)
                rest = rest.dropFirst()
                try checkHeader()
            }
            if dimensions == nil { return }
        }
        guard !rest.isEmpty else { return }
        if rest.count > expected - data.count {
            if let inputSize {
                throw DataError(.tooLong, file: name,
                                "too long: header says \(describeExpected()), file has \(inputSize - header.count) bytes of data")
            }
            throw DataError(.tooLong, file: name,
                            "too long: header says \(describeExpected()), the \(what) holds more")
        }
        data.append(contentsOf: UnsafeBufferPointer(rebasing: rest))
    }

    /// Validates the header bytes collected so far; sets `dimensions` once complete.
    private mutating func checkHeader() throws {
        let n = header.count
        if n == 2 && (header[0] != 0 || header[1] != 0) {
            let shown = header + [0, 0]
            let v = UInt32(shown[0]) << 24 | UInt32(shown[1]) << 16
            throw DataError(.badMagic, file: name, compressed
                ? "gzip content is not IDX (magic starts \(IDXDecoder.hex(v).prefix(6)))"
                : "not gzip and not IDX (magic \(IDXDecoder.hex(v).prefix(6)))")
        }
        if n == 3 {
            let type = header[2]
            if type != 0x08 {
                let known: [UInt8: String] = [0x09: "signed byte", 0x0B: "16-bit integer", 0x0C: "32-bit integer",
                                              0x0D: "32-bit float", 0x0E: "64-bit float"]
                if let kind = known[type] {
                    throw DataError(.badMagic, file: name,
                                    "IDX element type 0x\(String(type, radix: 16)) (\(kind)) is not supported: only unsigned bytes (0x08)")
                }
                throw DataError(.badMagic, file: name,
                                "unknown IDX element type 0x\(String(format2: type)): only unsigned bytes (0x08) are supported")
            }
        }
        if n == 4 && header[3] == 0 {
            throw DataError(.badDimensions, file: name, "IDX rank is 0 (magic 0x00000800): there must be at least one dimension")
        }
        guard n >= 4 else { return }
        let rank = Int(header[3])
        guard n == 4 + 4 * rank else { return }
        var dims: [Int] = []
        var product = 1
        for d in 0..<rank {
            let o = 4 + 4 * d
            let v = Int(header[o]) << 24 | Int(header[o + 1]) << 16 | Int(header[o + 2]) << 8 | Int(header[o + 3])
            if v == 0 {
                throw DataError(.badDimensions, file: name, "dimension \(d + 1) of \(rank) is 0 (header \(dimsText(dims + [0])))")
            }
            dims.append(v)
            let (p, overflow) = product.multipliedReportingOverflow(by: v)
            if overflow || p > maximumDataSize {
                throw DataError(.badDimensions, file: name,
                                "dimensions \(dimsText(Array(header[4...].chunked4()))) need more than the limit of \(maximumDataSize) bytes")
            }
            product = p
        }
        dimensions = dims
        expected = product
        data.reserveCapacity(min(product, max(sizeHint, 1 << 16)))
    }

    private func dimsText(_ dims: [Int]) -> String { dims.map(String.init).joined(separator: " x ") }

    private func describeExpected() -> String {
        guard let dimensions else { return "" }
        if dimensions.count == 1 { return "\(expected) values" }
        return "\(dimsText(dimensions)) = \(expected) bytes of data"
    }

    mutating func finish() throws -> IDXFile {
        guard let dimensions else {
            if header.count < 4 {
                throw DataError(.truncated, file: name,
                                "truncated: \(header.count) byte\(header.count == 1 ? "" : "s") of \(what), too short for an IDX header")
            }
            let rank = Int(header[3])
            throw DataError(.truncated, file: name,
                            "truncated header: rank \(rank) needs \(4 + 4 * rank) header bytes, the \(what) has \(header.count)")
        }
        if data.count < expected {
            throw DataError(.truncated, file: name, dimensions.count == 1
                ? "truncated: header says \(expected) values, \(what) has \(data.count)"
                : "truncated: header says \(describeExpected()), \(what) has \(data.count)")
        }
        return IDXFile(validatedDimensions: dimensions, data: data, name: name)
    }
}

private extension String {
    init(format2 byte: UInt8) {
        let s = String(byte, radix: 16)
        self = s.count == 1 ? "0" + s : s
    }
}

private extension ArraySlice where Element == UInt8 {
    /// Big-endian UInt32s.
    func chunked4() -> [Int] {
        var out: [Int] = []
        var i = startIndex
        while i + 4 <= endIndex {
            out.append(Int(self[i]) << 24 | Int(self[i + 1]) << 16 | Int(self[i + 2]) << 8 | Int(self[i + 3]))
            i += 4
        }
        return out
    }
}
