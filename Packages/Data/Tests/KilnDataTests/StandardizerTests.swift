import Testing
@testable import KilnData
import KilnTensor
import _KilnTestSupport

@Suite struct StandardizerTests {
    func data(_ rows: Int, seed: UInt64) -> TensorDataset {
        var rng = RandomGenerator(seed: seed)
        var x = Tensor.normal([rows, 4], mean: 3, std: 2, using: &rng)
        x = x * Tensor([1, 10, 0.1, 0])      // feature 3 constant (zero std)
        return TensorDataset(inputs: x, labels: [Int](repeating: 0, count: rows), classNames: ["only"])
    }

    @Test func trainStatisticsBecomeZeroMeanUnitStd() throws {
        let train = data(500, seed: 1)
        let s = try Standardizer(fitting: train)
        let z = s.apply(to: train).inputs
        let mean = z.mean(axis: 0, keepDims: false)
        let variance = z.variance(axis: 0, keepDims: false)
        expectClose(mean, Tensor([0, 0, 0, 0]), absoluteTolerance: 1e-5)
        expectClose(variance, Tensor([1, 1, 1, 0]), relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
        #expect(s.std[3] == 0)
        #expect(z.isFinite)
    }

    @Test func appliedUnchangedToOtherData() throws {
        let train = data(200, seed: 1)
        let dev = data(50, seed: 2)
        let s = try Standardizer(fitting: train)
        let z = s.apply(to: dev).inputs
        let x = dev.inputs
        for i in [0, 17, 49] {
            for j in 0..<3 {
                let expected = (x[i, j] - s.mean[j]) / s.std[j]
                expectClose(z[i, j], expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
            }
            // The constant feature is only centered (no division by ~0).
            #expect(z[i, 3] == x[i, 3] - s.mean[3])
        }
        // Dev statistics are not those of a fresh fit.
        #expect(try Standardizer(fitting: dev) != s)
        #expect(s.apply(x) == z)
    }

    @Test func viewsAndGlobalMode() throws {
        let full = data(100, seed: 3)
        let view = full.subset(Array(stride(from: 0, to: 100, by: 2)))
        let a = try Standardizer(fitting: view)
        let b = try Standardizer(fitting: view.materialized())
        #expect(a == b)
        #expect(a.apply(to: view).inputs == b.apply(to: view.materialized()).inputs)
        let g = try Standardizer(fitting: full, mode: .global)
        #expect(g.mean.rank == 0 && g.std.rank == 0)
        let z = g.apply(to: full).inputs
        #expect(abs(z.mean()) < 1e-4)
        #expect(abs(z.variance() - 1) < 1e-3)
    }

    /// Per channel: one mean and std per image channel, applied to CxHxW and to the same
    /// images flattened (CHW order), as torchvision's Normalize does.
    @Test func perChannelMode() throws {
        var rng = RandomGenerator(seed: 9)
        let x = Tensor.uniform([50, 3, 4, 5], using: &rng) * Tensor(shape: [3, 1, 1], scalars: [1, 2, 4])
        let images = TensorDataset(inputs: x, labels: [Int](repeating: 0, count: 50), classNames: ["x"])
        let s = try Standardizer(fitting: images, mode: .perChannel)
        #expect(s.mean.shape == [3, 1, 1] && s.std.shape == [3, 1, 1])
        let z = s.apply(to: images).inputs
        for c in 0..<3 {
            var channel: [Float] = []
            for i in 0..<50 { for p in 0..<20 { channel.append(z[flat: i * 60 + c * 20 + p]) } }
            let t = Tensor(channel)
            #expect(abs(t.mean()) < 1e-4 && abs(t.variance() - 1) < 1e-3, "channel \(c)")
        }
        let flat = images.reshaped(inputShape: [60])
        #expect(s.apply(to: flat).inputs.scalars == z.scalars)
        #expect(s.apply(x).scalars == z.scalars)
        #expect(dataError { try Standardizer(fitting: flat, mode: .perChannel) }?.kind == .invalidArgument)
    }

    @Test func saveAndRestore() throws {
        let s = try Standardizer(fitting: data(100, seed: 4))
        let restored = try Standardizer(tensors: s.tensors)
        #expect(restored == s)
        #expect(dataError { try Standardizer(mean: Tensor([1, 2]), std: Tensor([1])) }?.kind == .invalidArgument)
        #expect(dataError { try Standardizer(mean: Tensor([1]), std: Tensor([-1])) }?.kind == .invalidArgument)
        #expect(dataError { try Standardizer(tensors: ["mean": Tensor([1])]) }?.kind == .invalidArgument)
        let empty = TensorDataset(inputs: .zeros([0, 3]), labels: [], classNames: ["x"])
        #expect(dataError { try Standardizer(fitting: empty) }?.kind == .invalidArgument)
    }
}
