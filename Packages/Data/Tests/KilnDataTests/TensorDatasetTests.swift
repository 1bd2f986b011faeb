import Testing
@testable import KilnData
import KilnTensor

@Suite struct TensorDatasetTests {
    /// 10 examples of shape [2, 3]: example i holds 100*i + 0...5; label i % 3.
    func sample() -> TensorDataset {
        let inputs = Tensor(shape: [10, 2, 3], scalars: (0..<10).flatMap { i in (0..<6).map { Float(100 * i + $0) } })
        return TensorDataset(inputs: inputs, labels: (0..<10).map { $0 % 3 }, classNames: ["a", "b", "c"])
    }

    @Test func batchGathersRowsAndLabels() {
        let data = sample()
        #expect(data.count == 10 && data.inputShape == [2, 3] && data.classCount == 3)
        let (x, y) = data.batch([7, 0, 7])
        #expect(x.shape == [3, 2, 3])
        #expect(Array(x.scalars[0..<6]) == (0..<6).map { Float(700 + $0) })
        #expect(Array(x.scalars[6..<12]) == (0..<6).map { Float($0) })
        #expect(y == [1, 0, 1])
        let (one, label) = data.example(at: 4)
        #expect(one.shape == [2, 3] && one.scalars[0] == 400 && label == 1)
        #expect(data.batch([]).inputs.shape == [0, 2, 3])
    }

    @Test func protocolDefaultBatchAgreesWithOverride() {
        struct Plain: Dataset {
            let base: TensorDataset
            var count: Int { base.count }
            var inputShape: [Int] { base.inputShape }
            var classNames: [String] { base.classNames }
            func example(at index: Int) -> (input: Tensor, label: Int) { base.example(at: index) }
        }
        let data = sample()
        let plain = Plain(base: data)
        #expect(plain.batch([3, 1, 9]).inputs == data.batch([3, 1, 9]).inputs)
        #expect(plain.labels == data.labels)
        #expect(plain.subset([2, 5]).batch([1]).inputs == data.batch([5]).inputs)
    }

    @Test func subsetsAreViewsAndCompose() {
        let data = sample()
        let sub = data.subset([9, 2, 5, 2])
        #expect(sub.isView && sub.count == 4)
        #expect(sub.labels == [0, 2, 2, 2])
        let subsub = sub.subset([2, 0])
        #expect(subsub.batch([0, 1]).inputs == data.batch([5, 9]).inputs)
        #expect(subsub.inputs == data.batch([5, 9]).inputs)
        #expect(subsub.materialized().isView == false)
        #expect(subsub.materialized().inputs == subsub.inputs)
        #expect(sub.classCounts == [1, 0, 3])
    }

    @Test func reshapedKeepsViews() {
        let data = sample().subset([3, 1])
        let flat = data.reshaped(inputShape: [6])
        #expect(flat.inputShape == [6])
        #expect(flat.batch([1]).inputs.shape == [1, 6])
        #expect(flat.batch([1]).inputs.scalars == data.batch([1]).inputs.scalars)
        let image = flat.reshaped(inputShape: [1, 2, 3])
        #expect(image.example(at: 0).input.shape == [1, 2, 3])
    }

    @Test func byteStorageMatchesFloatStorage() throws {
        let bytes = (0..<60).map { UInt8(($0 * 53 + 7) % 256) }
        let labels = (0..<10).map { $0 % 3 }
        let byteData = TensorDataset(bytes: bytes, dividingBy: 255, inputShape: [2, 3], labels: labels, classNames: ["a", "b", "c"])
        let floats = Tensor(shape: [10, 2, 3], scalars: bytes.map { Float($0) / 255 })
        let floatData = TensorDataset(inputs: floats, labels: labels, classNames: ["a", "b", "c"])
        #expect(byteData.hasByteStorage && !floatData.hasByteStorage)
        #expect(byteData.inputs == floatData.inputs)
        #expect(byteData.batch([9, 0, 4]).inputs == floatData.batch([9, 0, 4]).inputs)
        #expect(byteData.example(at: 3).input == floatData.example(at: 3).input)
        let bv = byteData.subset([8, 1, 1]).reshaped(inputShape: [6])
        let fv = floatData.subset([8, 1, 1]).reshaped(inputShape: [6])
        #expect(bv.batch([2, 0]).inputs == fv.batch([2, 0]).inputs)
        #expect(bv.materialized().inputs == fv.inputs && !bv.materialized().hasByteStorage)
        let sb = try Standardizer(fitting: byteData.subset([1, 3, 5, 7, 9]))
        let sf = try Standardizer(fitting: floatData.subset([1, 3, 5, 7, 9]))
        #expect(sb == sf)
        #expect(sb.apply(to: bv.reshaped(inputShape: [2, 3])).inputs == sf.apply(to: fv.reshaped(inputShape: [2, 3])).inputs)
    }

    @Test func oneHotRows() {
        let t = oneHot([2, 0, 1], classCount: 3)
        #expect(t.shape == [3, 3])
        #expect(t.scalars == [0, 0, 1, 1, 0, 0, 0, 1, 0])
        #expect(sample().oneHotLabels.sum(axis: 0, keepDims: false).scalars == [4, 3, 3])
    }
}
