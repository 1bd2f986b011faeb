import KilnTensor

/// A seeded split of `0..<count` into train, dev (validation) and test index lists:
/// disjoint, together covering every index once, each sorted ascending.
///
/// - Plain: a permutation from `RandomGenerator(seed:)`; its first `dev` entries are
///   the dev set, the next `test` the test set, the rest the training set.
/// - Stratified (`stratifyingBy: labels`): each class keeps its proportion. The dev
///   total is shared out over the classes in proportion to their sizes by the largest
///   remainder method (so the totals are exact), then the test total over what is left;
///   within each class the members are shuffled and dealt out in that order.
///
/// Same `count`, sizes, seed (and labels) give the same split on every platform.
///
/// ```swift
/// let split = try DatasetSplit(count: 60_000, dev: 5_000, seed: 1, stratifyingBy: train.labels)
/// let (fit, dev) = (train.subset(split.train), train.subset(split.dev))
/// ```
public struct DatasetSplit: Sendable, Equatable {
    /// The training indices, ascending.
    public var train: [Int]
    /// The dev (validation) indices, ascending.
    public var dev: [Int]
    /// The test indices, ascending.
    public var test: [Int]

    /// A split from given index lists (for splits saved earlier; the lists should be disjoint).
    public init(train: [Int], dev: [Int], test: [Int]) {
        self.train = train
        self.dev = dev
        self.test = test
    }

    /// Splits `0..<count`; `dev` and `test` are sizes (counts or fractions of `count`),
    /// the training set gets the rest. Throws ``DataError`` (`.invalidArgument`) when
    /// the sizes are invalid or exceed `count`, or the labels do not fit.
    public init(count: Int, dev: SplitSize, test: SplitSize = .count(0), seed: UInt64,
                stratifyingBy labels: [Int]? = nil) throws {
        guard count >= 0 else { throw DataError(.invalidArgument, "split: negative example count \(count)") }
        let devCount = try dev.resolved(total: count, role: "dev")
        let testCount = try test.resolved(total: count, role: "test")
        guard devCount <= count, testCount <= count - devCount else {
            throw DataError(.invalidArgument,
                            "split: dev (\(devCount)) + test (\(testCount)) examples exceed the \(count) available")
        }
        var rng = RandomGenerator(seed: seed)
        guard let labels else {
            let order = rng.permutation(count)
            self.dev = order[0..<devCount].sorted()
            self.test = order[devCount..<(devCount + testCount)].sorted()
            self.train = order[(devCount + testCount)...].sorted()
            return
        }
        guard labels.count == count else {
            throw DataError(.invalidArgument, "split: \(labels.count) labels for \(count) examples")
        }
        guard let maxLabel = labels.max() else {
            self.train = []; self.dev = []; self.test = []
            return
        }
        guard labels.allSatisfy({ $0 >= 0 }) else { throw DataError(.invalidArgument, "split: negative label") }
        var members = [[Int]](repeating: [], count: maxLabel + 1)
        for (i, y) in labels.enumerated() { members[y].append(i) }
        let sizes = members.map(\.count)
        let n = Double(count)
        let devPerClass = DatasetSplit.allocate(devCount, ideal: sizes.map { Double(devCount) * Double($0) / n },
                                                capacity: sizes)
        let left = zip(sizes, devPerClass).map { $0 - $1 }
        let testPerClass = DatasetSplit.allocate(testCount, ideal: sizes.map { Double(testCount) * Double($0) / n },
                                                 capacity: left)
        var devIndices: [Int] = [], testIndices: [Int] = [], trainIndices: [Int] = []
        devIndices.reserveCapacity(devCount)
        testIndices.reserveCapacity(testCount)
        trainIndices.reserveCapacity(count - devCount - testCount)
        for c in members.indices {
            var m = members[c]
            rng.shuffle(&m)
            let d = devPerClass[c], t = testPerClass[c]
            devIndices += m[0..<d]
            testIndices += m[d..<(d + t)]
            trainIndices += m[(d + t)...]
        }
        self.train = trainIndices.sorted()
        self.dev = devIndices.sorted()
        self.test = testIndices.sorted()
    }

    /// Integers summing to `total`, near `ideal`, each at most `capacity`: floors first,
    /// then one more to the largest fractional remainders (ties: lower class first).
    /// - Precondition: `total <= capacity.reduce(0, +)`.
    static func allocate(_ total: Int, ideal: [Double], capacity: [Int]) -> [Int] {
        var result = zip(ideal, capacity).map { min(Int($0.rounded(.down)), $1) }
        var remaining = total - result.reduce(0, +)
        let order = ideal.indices.sorted { a, b in
            let ra = ideal[a] - ideal[a].rounded(.down), rb = ideal[b] - ideal[b].rounded(.down)
            return ra != rb ? ra > rb : a < b
        }
        while remaining > 0 {
            var progress = false
            for c in order where remaining > 0 && result[c] < capacity[c] {
                result[c] += 1
                remaining -= 1
                progress = true
            }
            precondition(progress, "DatasetSplit.allocate: total exceeds capacity")
        }
        return result
    }
}

extension Dataset {
    /// Splits into train/dev/test views (see ``DatasetSplit``); stratified by class
    /// when `stratified` is true.
    public func split(dev: SplitSize, test: SplitSize = .count(0), seed: UInt64, stratified: Bool = false) throws
        -> (train: DatasetSubset<Self>, dev: DatasetSubset<Self>, test: DatasetSubset<Self>) {
        let s = try DatasetSplit(count: count, dev: dev, test: test, seed: seed, stratifyingBy: stratified ? labels : nil)
        return (subset(s.train), subset(s.dev), subset(s.test))
    }
}

extension TensorDataset {
    /// Splits into train/dev/test datasets sharing this storage (see ``DatasetSplit``);
    /// stratified by class when `stratified` is true.
    ///
    /// ```swift
    /// let (train, dev, _) = try full.split(dev: 5_000, seed: 1, stratified: true)
    /// ```
    public func split(dev: SplitSize, test: SplitSize = .count(0), seed: UInt64, stratified: Bool = false) throws
        -> (train: TensorDataset, dev: TensorDataset, test: TensorDataset) {
        let s = try DatasetSplit(count: count, dev: dev, test: test, seed: seed, stratifyingBy: stratified ? labels : nil)
        return (subset(s.train), subset(s.dev), subset(s.test))
    }
}
