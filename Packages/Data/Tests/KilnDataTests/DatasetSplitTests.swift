import Testing
@testable import KilnData
import KilnTensor

@Suite struct DatasetSplitTests {
    func checkPartition(_ s: DatasetSplit, count: Int) {
        let all = s.train + s.dev + s.test
        #expect(all.count == count)
        #expect(Set(all).count == count)
        #expect(all.allSatisfy { $0 >= 0 && $0 < count })
        #expect(s.train == s.train.sorted() && s.dev == s.dev.sorted() && s.test == s.test.sorted())
    }

    @Test(arguments: [(1000, SplitSize.count(100), SplitSize.count(50), 100, 50),
                      (1000, SplitSize.fraction(0.1), SplitSize.fraction(0.25), 100, 250),
                      (7, SplitSize.fraction(0.5), SplitSize.count(0), 4, 0),
                      (10, SplitSize.count(10), SplitSize.count(0), 10, 0),
                      (0, SplitSize.count(0), SplitSize.fraction(0.3), 0, 0)])
    func sizes(count: Int, dev: SplitSize, test: SplitSize, devCount: Int, testCount: Int) throws {
        for stratified in [false, true] {
            let labels = (0..<count).map { $0 % 4 }
            let s = try DatasetSplit(count: count, dev: dev, test: test, seed: 3, stratifyingBy: stratified ? labels : nil)
            #expect(s.dev.count == devCount && s.test.count == testCount && s.train.count == count - devCount - testCount)
            checkPartition(s, count: count)
        }
    }

    @Test func seededDeterminism() throws {
        let a = try DatasetSplit(count: 500, dev: 50, test: 50, seed: 11)
        let b = try DatasetSplit(count: 500, dev: 50, test: 50, seed: 11)
        let c = try DatasetSplit(count: 500, dev: 50, test: 50, seed: 12)
        #expect(a == b)
        #expect(a.dev != c.dev)
        let labels = (0..<500).map { ($0 * 7) % 5 }
        let sa = try DatasetSplit(count: 500, dev: 0.2, seed: 11, stratifyingBy: labels)
        let sb = try DatasetSplit(count: 500, dev: 0.2, seed: 11, stratifyingBy: labels)
        #expect(sa == sb)
    }

    @Test func stratificationKeepsClassProportions() throws {
        // Unbalanced classes: 600, 300, 90, 10.
        let labels = [Int](repeating: 0, count: 600) + [Int](repeating: 1, count: 300)
            + [Int](repeating: 2, count: 90) + [Int](repeating: 3, count: 10)
        var rng = RandomGenerator(seed: 5)
        var shuffled = labels
        rng.shuffle(&shuffled)
        let s = try DatasetSplit(count: 1000, dev: 100, test: 200, seed: 9, stratifyingBy: shuffled)
        checkPartition(s, count: 1000)
        func counts(_ idx: [Int]) -> [Int] {
            var c = [0, 0, 0, 0]
            for i in idx { c[shuffled[i]] += 1 }
            return c
        }
        #expect(counts(s.dev) == [60, 30, 9, 1])
        #expect(counts(s.test) == [120, 60, 18, 2])
        #expect(counts(s.train) == [420, 210, 63, 7])
        // Without stratification the rare class is only right on average.
        let plain = try DatasetSplit(count: 1000, dev: 100, test: 200, seed: 9)
        checkPartition(plain, count: 1000)
    }

    @Test func largestRemainderKeepsTotalsExact() {
        let a = DatasetSplit.allocate(10, ideal: [3.4, 3.3, 3.3], capacity: [5, 5, 5])
        #expect(a == [4, 3, 3])
        let capped = DatasetSplit.allocate(4, ideal: [1.5, 1.5, 1.0], capacity: [1, 5, 5])
        #expect(capped.reduce(0, +) == 4 && capped[0] <= 1)
    }

    @Test func invalidSizesThrow() {
        #expect(dataError { try DatasetSplit(count: 10, dev: 8, test: 3, seed: 1) }?.description
                == "split: dev (8) + test (3) examples exceed the 10 available")
        #expect(dataError { try DatasetSplit(count: 10, dev: 1.5, seed: 1) }?.kind == .invalidArgument)
        #expect(dataError { try DatasetSplit(count: 10, dev: .count(-1), seed: 1) }?.kind == .invalidArgument)
        #expect(dataError { try DatasetSplit(count: 10, dev: .fraction(.nan), seed: 1) }?.kind == .invalidArgument)
        #expect(dataError { try DatasetSplit(count: 10, dev: 1, seed: 1, stratifyingBy: [0, 1]) }?.kind == .invalidArgument)
    }

    @Test func datasetSplitViews() throws {
        let inputs = Tensor(shape: [40, 2], scalars: (0..<80).map(Float.init))
        let data = TensorDataset(inputs: inputs, labels: (0..<40).map { $0 % 4 }, classNames: ["a", "b", "c", "d"])
        let (train, dev, test) = try data.split(dev: 0.25, test: 4, seed: 2, stratified: true)
        #expect(train.count == 26 && dev.count == 10 && test.count == 4)
        #expect(dev.classCounts.reduce(0, +) == 10 && dev.classCounts.allSatisfy { $0 == 2 || $0 == 3 })
        #expect(test.classCounts == [1, 1, 1, 1])
        let all = (train.inputs.scalars + dev.inputs.scalars + test.inputs.scalars).sorted()
        #expect(all == inputs.scalars)
        let generic = try data.subset(Array(0..<40)).split(dev: 10, seed: 2)
        #expect(generic.dev.count == 10 && generic.train.count == 30)
    }
}
