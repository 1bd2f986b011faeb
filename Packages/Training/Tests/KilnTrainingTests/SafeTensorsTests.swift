import Foundation
import Testing
import KilnTensor
@testable import KilnTraining

@Suite struct SafeTensorsTests {
    func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "kiln-safetensors-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func roundTripThroughBytesAndFile() throws {
        var rng = RandomGenerator(seed: 1)
        let file = SafeTensors(
            tensors: ["model/0.dense.weight": Tensor.normal([3, 4], using: &rng), "b": Tensor([1, -2]),
                      "empty": Tensor.zeros([0, 5]), "scalar": Tensor(7)],
            metadata: ["kiln.model": "dense(4)|relu", "quote": "a \"b\"\n\\c"])
        let bytes = file.encoded()
        // Header length is little-endian and the data starts 8-byte aligned.
        let headerLength = bytes[0..<8].enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        #expect((8 + headerLength) % 8 == 0)
        #expect(try SafeTensors(bytes: bytes) == file)
        #expect(bytes == file.encoded(), "encoding is deterministic")
        let dir = try temporaryDirectory()
        let path = dir + "/m.safetensors"
        try file.write(to: path)
        #expect(try SafeTensors(contentsOf: path) == file)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["m.safetensors"], "no temporary file left")
    }

    /// The header is the JSON layout PyTorch's safetensors reads: dtype, shape, offsets.
    @Test func headerLayout() throws {
        let bytes = SafeTensors(tensors: ["w": Tensor([1, 2, 3])]).encoded()
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        let json = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as! [String: Any]
        let entry = json["w"] as! [String: Any]
        #expect(entry["dtype"] as? String == "F32")
        #expect((entry["shape"] as? [Int]) == [3])
        #expect((entry["data_offsets"] as? [Int]) == [0, 12])
        #expect(Array(bytes[(8 + headerLength)...]) == [0, 0, 0x80, 0x3F, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40])
    }

    @Test(arguments: [
        ("short", [UInt8](repeating: 0, count: 5)),
        ("huge header", [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0x7B, 0x7D]),
        ("not json", [4, 0, 0, 0, 0, 0, 0, 0] + Array("abcd".utf8)),
        ("unknown dtype", SafeTensorsTests.withHeader(#"{"w":{"dtype":"F24","shape":[1],"data_offsets":[0,3]}}"#, data: 3)),
        ("I64 size mismatch", SafeTensorsTests.withHeader(#"{"w":{"dtype":"I64","shape":[2],"data_offsets":[0,8]}}"#, data: 8)),
        ("overlapping tensors", SafeTensorsTests.withHeader(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8)),
        ("a hole between tensors", SafeTensorsTests.withHeader(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#, data: 12)),
        ("bytes after the last tensor", SafeTensorsTests.withHeader(#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, data: 8)),
        ("deep nesting", SafeTensorsTests.withHeader(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000), data: 0)),
        ("offsets beyond data", SafeTensorsTests.withHeader(#"{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: 8)),
        ("shape mismatch", SafeTensorsTests.withHeader(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: 8)),
        ("negative dim", SafeTensorsTests.withHeader(#"{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,0]}}"#, data: 0)),
        ("overflowing shape", SafeTensorsTests.withHeader(#"{"w":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,4]}}"#, data: 4)),
        ("metadata not strings", SafeTensorsTests.withHeader(#"{"__metadata__":{"a":1}}"#, data: 0)),
    ] as [(String, [UInt8])])
    func malformedFilesThrow(name: String, bytes: [UInt8]) {
        #expect(throws: SafeTensorsError.self, "\(name)") { try SafeTensors(bytes: bytes) }
    }

    /// Tensors of other dtypes (PyTorch's I64 num_batches_tracked) are kept as bytes and
    /// written back.
    @Test func otherDtypesRoundTrip() throws {
        var file = SafeTensors(tensors: ["0.weight": Tensor([1, 2])])
        file.otherTensors["1.num_batches_tracked"] = .init(dtype: "I64", shape: [], bytes: [7, 0, 0, 0, 0, 0, 0, 0])
        let again = try SafeTensors(bytes: file.encoded())
        #expect(again == file && again.otherTensors["1.num_batches_tracked"]?.bytes.first == 7)
    }

    /// NaN payloads survive a round trip bit for bit (regression of safetensors-fuzz's first
    /// finding, which was the harness comparing NaN tensors with ==).
    @Test func nanPayloadsRoundTrip() throws {
        let weird: [Float] = [.nan, Float(bitPattern: 0xFFFF_FFFF), -.infinity, -0.0, .leastNonzeroMagnitude]
        let file = SafeTensors(tensors: ["w": Tensor(shape: [5], scalars: weird)])
        let again = try SafeTensors(bytes: file.encoded())
        #expect(again.tensors["w"]!.scalars.map(\.bitPattern) == weird.map(\.bitPattern))
        #expect(again.encoded() == file.encoded())
    }

    static func withHeader(_ header: String, data: Int) -> [UInt8] {
        let h = Array(header.utf8)
        var out = [UInt8]()
        var n = UInt64(h.count).littleEndian
        withUnsafeBytes(of: &n) { out.append(contentsOf: $0) }
        return out + h + [UInt8](repeating: 0, count: data)
    }

    @Test func missingFileNamesThePath() {
        do {
            _ = try SafeTensors(contentsOf: "/nonexistent/kiln.safetensors")
            Issue.record("read a missing file")
        } catch {
            #expect("\(error)".contains("/nonexistent/kiln.safetensors"))
        }
    }
}

@Suite struct MetricsTests {
    @Test func confusionMatrix() {
        var m = ConfusionMatrix(classNames: ["a", "b", "c"])
        m.add(labels: [0, 0, 1, 2, 2, 2], predictions: [0, 1, 1, 2, 0, 2])
        #expect(m.counts == [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
        #expect(m.total == 6 && m.correct == 4)
        #expect(abs(m.accuracy - 4.0 / 6.0) < 1e-12)
        #expect(m.perClassAccuracy[0] == 0.5 && m.perClassAccuracy[1] == 1)
        #expect(m.rendered().contains("2 c"))
    }

    @Test func formatting() {
        #expect(formatFixed(0.12345, 3) == "0.123")
        #expect(formatFixed(-1.5, 1) == "-1.5")
        #expect(formatFixed(2, 2) == "2.00")
        #expect(formatFixed(0.0999, 2) == "0.10")
        #expect(formatFixed(-0.0001, 2) == "0.00")
        #expect(formatFixed(.nan, 2) == "nan")
    }

    /// The course notes' table: (train error, dev error) -> diagnosis.
    @Test(arguments: [
        (0.99, 0.89, false, true), (0.85, 0.84, true, false), (0.85, 0.70, true, true), (0.995, 0.99, false, false),
    ])
    func diagnosis(train: Double, dev: Double, bias: Bool, variance: Bool) {
        let d = Diagnosis(trainAccuracy: train, devAccuracy: dev)
        #expect(d.highBias == bias)
        #expect(d.highVariance == variance)
    }
}
