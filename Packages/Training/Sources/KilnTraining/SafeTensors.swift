import Foundation
import KilnFiles
import KilnTensor

/// Reading and writing the safetensors format: an 8-byte little-endian header length N,
/// N bytes of JSON header, then the raw little-endian tensor data.
///
/// The header maps each tensor name to `{"dtype": "F32", "shape": [...], "data_offsets":
/// [begin, end]}` (offsets relative to the data section) and may hold `"__metadata__"`, a
/// string-to-string map. Kiln's tensors are F32 (``tensors``); tensors of other dtypes
/// (PyTorch's `num_batches_tracked` is I64) are kept as bytes in ``otherTensors``. Kiln
/// pads the header with spaces to a multiple of 8 bytes and orders the data by name so
/// equal contents give equal files. PyTorch (`safetensors.torch.load_file`) and NumPy
/// (`safetensors.numpy`) users can open them.
///
/// Reading treats the file as untrusted input: the header length, its JSON (at most
/// ``maxHeaderBytes``, nesting at most ``maxNesting`` deep, checked before parsing), every
/// entry's dtype, shape (no overflow) and byte range are checked, and the ranges must tile
/// the data section exactly (no overlap, no hole, nothing after the last), as the format
/// requires. Any violation is a ``SafeTensorsError``, never a trap.
///
/// Files are written atomically: to a temporary file in the same directory, flushed with
/// `fsync`, then renamed over the destination; a crash leaves the old file or the new one,
/// never half of one.
public struct SafeTensors: Sendable, Equatable {
    /// The Float32 tensors by name.
    public var tensors: [String: Tensor]
    /// The header's `__metadata__` strings (Kiln's keys start with `kiln.`).
    public var metadata: [String: String]
    /// Tensors of dtypes other than F32, as their little-endian bytes.
    public var otherTensors: [String: RawTensor] = [:]

    /// A tensor Kiln does not compute with: its dtype, shape and bytes.
    public struct RawTensor: Sendable, Equatable {
        /// The format's dtype name (`F16`, `I64`, …).
        public var dtype: String
        /// The tensor's shape.
        public var shape: [Int]
        /// The raw little-endian bytes.
        public var bytes: [UInt8]
        /// A raw tensor of `dtype` and `shape` holding `bytes`.
        public init(dtype: String, shape: [Int], bytes: [UInt8]) {
            (self.dtype, self.shape, self.bytes) = (dtype, shape, bytes)
        }
    }

    /// Bytes per element of each dtype the format defines.
    public static let dtypeSizes: [String: Int] = [
        "F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1,
        "U64": 8, "U32": 4, "U16": 2, "U8": 1, "BOOL": 1,
    ]

    /// A file's content: Float32 tensors by name and metadata strings.
    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// Largest header accepted when reading (the format's own limit is 100 MB).
    public static let maxHeaderBytes = 100_000_000
    /// Deepest JSON nesting accepted in a header (a valid one is 3 deep).
    public static let maxNesting = 16

    // MARK: Encoding

    /// The file's bytes.
    public func encoded() -> [UInt8] {
        precondition(Set(tensors.keys).isDisjoint(with: otherTensors.keys), "SafeTensors: a name is both an F32 and another tensor")
        let names = (Array(tensors.keys) + Array(otherTensors.keys)).sorted()
        var offset = 0
        var entries: [String] = []
        for name in names {
            let (dtype, shape, bytes): (String, [Int], Int)
            if let t = tensors[name] { (dtype, shape, bytes) = ("F32", t.shape, t.count * 4) } else {
                let r = otherTensors[name]!
                (dtype, shape, bytes) = (r.dtype, r.shape, r.bytes.count)
            }
            entries.append("\(jsonString(name)):{\"dtype\":\"\(dtype)\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + bytes)]}")
            offset += bytes
        }
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            entries.insert("\"__metadata__\":{\(pairs.joined(separator: ","))}", at: 0)
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        while (8 + header.count) % 8 != 0 { header.append(0x20) }
        var out = [UInt8]()
        out.reserveCapacity(8 + header.count + offset)
        var n = UInt64(header.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for name in names {
            if let t = tensors[name] {
                t.withUnsafeBufferPointer { p in
                    // Float32 is little-endian on every platform Swift supports here.
                    out.append(contentsOf: UnsafeRawBufferPointer(p))
                }
            } else {
                out.append(contentsOf: otherTensors[name]!.bytes)
            }
        }
        return out
    }

    /// Writes the file atomically (temp file, fsync, rename).
    public func write(to path: String) throws {
        try AtomicFile.write(encoded(), to: path)
    }

    // MARK: Decoding

    /// Reads a safetensors file; every malformed input is a thrown `SafeTensorsError`.
    public init(contentsOf path: String) throws {
        let bytes: [UInt8]
        do { bytes = try FileReader.read(path, limit: Int.max) } catch {
            throw SafeTensorsError(path: path, message: error.message)
        }
        do {
            self = try SafeTensors(bytes: bytes)
        } catch var error as SafeTensorsError {
            error.path = path
            throw error
        }
    }

    /// Parses safetensors bytes.
    public init(bytes: [UInt8]) throws {
        func fail(_ message: String) -> SafeTensorsError { SafeTensorsError(path: nil, message: message) }
        guard bytes.count >= 8 else { throw fail("too short for a safetensors file (\(bytes.count) bytes)") }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength <= UInt64(Self.maxHeaderBytes), Int(headerLength) <= bytes.count - 8 else {
            throw fail("header length \(headerLength) exceeds the file (\(bytes.count) bytes)")
        }
        let headerEnd = 8 + Int(headerLength)
        try SafeTensors.checkNesting(bytes[8..<headerEnd], limit: SafeTensors.maxNesting).map { throw fail($0) }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(bytes[8..<headerEnd]))
        } catch {
            throw fail("header is not valid JSON")
        }
        guard let header = json as? [String: Any] else { throw fail("header is not a JSON object") }
        let dataCount = bytes.count - headerEnd
        var tensors: [String: Tensor] = [:]
        var others: [String: RawTensor] = [:]
        var metadata: [String: String] = [:]
        var ranges: [(begin: Int, end: Int, name: String)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw fail("__metadata__ is not an object") }
                for (k, v) in map {
                    guard let s = v as? String else { throw fail("metadata value for '\(k)' is not a string") }
                    metadata[k] = s
                }
                continue
            }
            guard let entry = value as? [String: Any],
                  let dtype = entry["dtype"] as? String,
                  let shapeAny = entry["shape"] as? [Any],
                  let offsetsAny = entry["data_offsets"] as? [Any], offsetsAny.count == 2
            else { throw fail("tensor '\(name)': entry needs dtype, shape and data_offsets") }
            guard let elementSize = SafeTensors.dtypeSizes[dtype] else {
                throw fail("tensor '\(name)': unknown dtype '\(dtype)' (expected one of \(SafeTensors.dtypeSizes.keys.sorted().joined(separator: ", ")))")
            }
            let shape = try shapeAny.map { d -> Int in
                guard let n = (d as? NSNumber)?.intValue, n >= 0, n <= Int(Int32.max) else { throw fail("tensor '\(name)': bad shape") }
                return n
            }
            let offsets = try offsetsAny.map { d -> Int in
                guard let n = (d as? NSNumber)?.intValue, n >= 0 else { throw fail("tensor '\(name)': bad data_offsets") }
                return n
            }
            let (count, overflow) = shape.reduce((1, false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                return (p, acc.1 || o)
            }
            let (byteCount, byteOverflow) = count.multipliedReportingOverflow(by: elementSize)
            guard !overflow, !byteOverflow, offsets[0] <= offsets[1], offsets[1] <= dataCount, offsets[1] - offsets[0] == byteCount else {
                throw fail("tensor '\(name)': data_offsets \(offsets) do not match shape \(shape) of \(dtype) within \(dataCount) data bytes")
            }
            ranges.append((offsets[0], offsets[1], name))
            let start = headerEnd + offsets[0]
            guard dtype == "F32" else {
                others[name] = RawTensor(dtype: dtype, shape: shape, bytes: Array(bytes[start..<(start + byteCount)]))
                continue
            }
            let tensor = Tensor(shape: shape) { out in
                bytes.withUnsafeBytes { raw in
                    let src = UnsafeRawBufferPointer(rebasing: raw[start..<(start + count * 4)])
                    UnsafeMutableRawBufferPointer(out).copyMemory(from: src)
                }
            }
            tensors[name] = tensor
        }
        // The ranges must tile the data section: sorted, each starting where the last ended.
        var end = 0
        for r in ranges.sorted(by: { ($0.begin, $0.end) < ($1.begin, $1.end) }) {
            guard r.begin == end else {
                throw fail(r.begin < end ? "tensor '\(r.name)': its bytes overlap another tensor's" : "tensor '\(r.name)': a hole of \(r.begin - end) bytes before its data")
            }
            end = r.end
        }
        guard end == dataCount else { throw fail("\(dataCount - end) bytes after the last tensor's data") }
        self.init(tensors: tensors, metadata: metadata)
        otherTensors = others
    }

    /// nil when the JSON text nests at most `limit` deep (brackets outside strings), else
    /// why not; checked before parsing, so a hostile header cannot exhaust the stack.
    static func checkNesting(_ text: ArraySlice<UInt8>, limit: Int) -> String? {
        var depth = 0, inString = false, escaped = false
        for byte in text {
            if inString {
                if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
                continue
            }
            switch byte {
            case 0x22: inString = true
            case 0x7B, 0x5B:
                depth += 1
                if depth > limit { return "header JSON nests deeper than \(limit) levels" }
            case 0x7D, 0x5D: depth -= 1
            default: break
            }
        }
        return nil
    }
}

/// A malformed or unreadable safetensors file.
public struct SafeTensorsError: Error, CustomStringConvertible, Sendable {
    /// The file, when the bytes came from one.
    public var path: String?
    /// What is wrong.
    public var message: String
    public var description: String { "\(path.map { "\($0): " } ?? "")\(message)" }
}

/// JSON string literal with the escapes JSON requires (quotes, backslashes, control
/// characters): Kiln's one JSON string writer, for headers, metadata and `--json` output.
public func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
