import KilnTensor

/// An IDX file of unsigned bytes: the format of MNIST and Fashion-MNIST.
///
/// Layout (all integers big-endian):
/// ```
/// 0x00 0x00 <type> <rank>        magic; type 0x08 = unsigned byte
/// rank x UInt32                  the dimensions, e.g. 60000, 28, 28
/// product(dimensions) bytes      the values, row-major
/// ```
/// Label files are `idx1` (magic `0x00000801`, one dimension: the count), image files
/// `idx3` (magic `0x00000803`: count, rows, columns).
///
/// Reading is strict and never traps: the magic, the element type (only unsigned bytes),
/// every dimension (non-zero; their product must not overflow and must stay under
/// `maximumDataSize`) and the data length (exactly the product) are checked, and a
/// gzip-compressed file (detected by its magic `1f 8b`) is inflated with zlib in a
/// streaming loop whose output can never exceed what the header announces, so a
/// "gzip bomb" cannot exhaust memory. Every failure is a ``DataError`` naming the file.
///
/// ```swift
/// let labels = try IDXFile(contentsOf: "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz")
/// labels.dimensions               // [10000]
/// let y = try labels.labels(classCount: 10)
/// ```
public struct IDXFile: Sendable, Equatable {
    /// The dimensions from the header (each >= 1).
    public let dimensions: [Int]
    /// The values, row-major; `data.count == dimensions.reduce(1, *)`.
    public let data: [UInt8]
    /// The file's name or path, used in error messages.
    public let name: String

    /// The default cap on the decoded data: 4 GiB (Fashion-MNIST's training images are 47 MB).
    public static let defaultMaximumDataSize = 1 << 32

    /// A file from dimensions and values (for writing IDX files, e.g. in tests and tools).
    /// - Precondition: `dimensions` has 1 to 255 entries, each in `1...UInt32.max`, and
    ///   their product equals `data.count`.
    public init(dimensions: [Int], data: [UInt8], name: String = "<memory>") {
        precondition((1...255).contains(dimensions.count), "IDXFile: rank \(dimensions.count) is not in 1...255")
        precondition(dimensions.allSatisfy { $0 >= 1 && $0 <= Int(UInt32.max) },
                     "IDXFile: dimensions \(dimensions) must be in 1...\(UInt32.max)")
        precondition(dimensions.reduce(1, *) == data.count,
                     "IDXFile: dimensions \(dimensions) need \(dimensions.reduce(1, *)) bytes, got \(data.count)")
        self.dimensions = dimensions
        self.data = data
        self.name = name
    }

    init(validatedDimensions: [Int], data: [UInt8], name: String) {
        self.dimensions = validatedDimensions
        self.data = data
        self.name = name
    }

    /// The number of dimensions.
    public var rank: Int { dimensions.count }

    /// The magic number: `0x00000800 | rank` (unsigned bytes).
    public var magic: UInt32 { 0x0000_0800 | UInt32(rank) }

    // MARK: Reading

    /// Parses the bytes of an IDX file, raw or gzip-compressed (the entry point for fuzzing:
    /// it throws ``DataError`` on any input it cannot accept and never traps).
    ///
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - name: used in error messages (a path or file name).
    ///   - maximumDataSize: the largest number of data bytes accepted (after inflation).
    public static func parse(bytes: [UInt8], name: String,
                             maximumDataSize: Int = IDXFile.defaultMaximumDataSize) throws -> IDXFile {
        try bytes.withUnsafeBufferPointer { try parse(buffer: $0, name: name, maximumDataSize: maximumDataSize) }
    }

    /// Reads and parses an IDX file, raw or gzip-compressed (see ``parse(bytes:name:maximumDataSize:)``).
    /// Errors name the file by `path`.
    public init(contentsOf path: String, maximumDataSize: Int = IDXFile.defaultMaximumDataSize) throws {
        // A raw file is at most its header (<= 4 + 4 * 255 bytes) plus the data; a gzip
        // file is no larger than its raw content plus a small overhead.
        let limit = maximumDataSize > Int.max - (1 << 20) ? Int.max : maximumDataSize + (1 << 20)
        let bytes = try FileBytes.read(path, limit: limit)
        self = try IDXFile.parse(bytes: bytes, name: path, maximumDataSize: maximumDataSize)
    }

    static func parse(buffer: UnsafeBufferPointer<UInt8>, name: String, maximumDataSize: Int) throws -> IDXFile {
        if buffer.count >= 2 && buffer[0] == 0x1F && buffer[1] == 0x8B {
            var decoder = IDXDecoder(name: name, maximumDataSize: maximumDataSize,
                                     compressed: true, sizeHint: buffer.count.multipliedReportingOverflow(by: 4).partialValue)
            try Gzip.inflate(buffer, name: name) { chunk in try decoder.consume(chunk) }
            return try decoder.finish()
        }
        if buffer.count >= 2 && buffer[0] == 0 && buffer[1] == 0 {
            var decoder = IDXDecoder(name: name, maximumDataSize: maximumDataSize,
                                     compressed: false, sizeHint: buffer.count, inputSize: buffer.count)
            try decoder.consume(buffer)
            return try decoder.finish()
        }
        if buffer.isEmpty { throw DataError(.truncated, file: name, "empty file") }
        throw DataError(.badMagic, file: name, "not gzip and not IDX (magic \(IDXDecoder.magicText(buffer)))")
    }

    // MARK: Interpreting

    /// The values of a rank-1 file as labels, each checked to be below `classCount`
    /// (when given).
    public func labels(classCount: Int? = nil) throws -> [Int] {
        guard rank == 1 else {
            throw DataError(.badMagic, file: name,
                            "expected an idx1 label file (magic 0x00000801), got rank \(rank) (magic \(IDXDecoder.hex(magic)))")
        }
        if let classCount {
            // One pass to find the first offender, without per-element branches in the
            // common case.
            let bound = UInt8(clamping: classCount)
            if classCount <= 255, let i = data.firstIndex(where: { $0 >= bound }) {
                throw DataError(.labelOutOfRange, file: name,
                                "label \(data[i]) at index \(i) is out of range for \(classCount) classes (labels must be 0...\(classCount - 1))")
            }
        }
        return data.map { Int($0) }
    }

    /// The values as Floats divided by `divisor` (255 maps bytes to [0, 1]), in a tensor
    /// whose first dimension is `dimensions[0]` and whose other dimensions are
    /// `shape` (default: the remaining dimensions, e.g. `[28, 28]`; `[784]` flattens).
    /// - Precondition: `shape` has as many elements as one item.
    public func tensor(dividingBy divisor: Float = 1, itemShape shape: [Int]? = nil) -> Tensor {
        let item = Array(dimensions.dropFirst())
        let itemShape = shape ?? item
        precondition(itemShape.reduce(1, *) == item.reduce(1, *),
                     "IDXFile.tensor: item shape \(itemShape) does not match \(item)")
        return IDXFile.floats(data, dividingBy: divisor, shape: [dimensions[0]] + itemShape)
    }

    /// Bytes as Floats divided by `divisor` (exact IEEE division, as PyTorch's `ToTensor`).
    static func floats(_ bytes: [UInt8], dividingBy divisor: Float, shape: [Int]) -> Tensor {
        Tensor(shape: shape) { out in
            bytes.withUnsafeBufferPointer { src in
                let n = src.count
                guard n > 0, let o = out.baseAddress, let s = src.baseAddress else { return }
                if divisor == 1 {
                    for i in 0..<n { o[i] = Float(s[i]) }
                } else {
                    for i in 0..<n { o[i] = Float(s[i]) / divisor }
                }
            }
        }
    }

    // MARK: Writing

    /// The raw IDX bytes: header then data.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = [0, 0, 0x08, UInt8(rank)]
        out.reserveCapacity(4 + 4 * rank + data.count)
        for d in dimensions {
            let v = UInt32(d)
            out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
        }
        out += data
        return out
    }

    /// Writes the file to `path`, gzip-compressed when `gzip` is true (zlib's deflate,
    /// level 6). Errors are ``DataError``s naming `path`.
    public func write(to path: String, gzip: Bool = false) throws {
        let bytes = gzip ? try Gzip.deflate(encoded(), name: path) : encoded()
        try FileBytes.write(bytes, to: path)
    }
}
