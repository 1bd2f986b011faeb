import KilnTensor

/// An in-memory dataset: one tensor of inputs (`[N] + inputShape`), one label per row,
/// and the class names.
///
/// Subsets are views: ``subset(_:)`` (and the splits built on it) keep a list of row
/// numbers into the same storage instead of copying rows, so a train/dev split of
/// Fashion-MNIST or twenty bootstrap samples cost a few hundred kilobytes of indices,
/// not 188 MB each. ``batch(_:)`` gathers the requested rows with one `memcpy` per row
/// (one `gatherRows` call), views or not.
///
/// Byte storage: images loaded from IDX files (``MNISTDirectory``) keep their pixels as
/// bytes and a divisor (255), and each batch converts its rows to Floats (`Float(b) / 255`,
/// the same values as converting everything up front). That stores Fashion-MNIST's
/// training images in 47 MB instead of 188 MB and moves a quarter of the memory per
/// epoch; ``inputs``, ``materialized()`` and the standardizer's output are Float tensors.
///
/// ```swift
/// let (train, test) = try MNISTDirectory.fashionMNIST.loadTrainAndTest()
/// let (x, y) = train.batch([0, 5, 7])       // x: [3, 784], y: 3 labels
/// let images = train.reshaped(inputShape: [1, 28, 28])   // for conv layers
/// ```
public struct TensorDataset: Dataset {
    /// The shape of one input (`[784]`, `[1, 28, 28]`).
    public let inputShape: [Int]
    /// The class names by label.
    public let classNames: [String]
    /// The label of each example, in `0..<classNames.count`.
    public let labels: [Int]
    /// All rows the dataset can see: `storageRows` rows of `inputShape`.
    let storage: Storage
    /// Example `i` is storage row `rowMap[i]`; nil: example `i` is row `i`.
    let rowMap: [Int]?

    enum Storage: Sendable {
        /// `[M] + inputShape` Floats.
        case floats(Tensor)
        /// `M * rowSize` bytes; a value is `Float(byte) / divisor`.
        case bytes([UInt8], divisor: Float)
    }

    /// A dataset of `inputs` (`[N] + inputShape`) with labels in `0..<classNames.count`.
    /// - Precondition: `inputs` has rank >= 1, `inputs.shape[0] == labels.count`, and
    ///   every label is in `0..<classNames.count` (validate user data before; the loaders
    ///   in this module do and throw ``DataError``).
    public init(inputs: Tensor, labels: [Int], classNames: [String]) {
        precondition(inputs.rank >= 1, "TensorDataset: inputs must have a leading example axis, got shape \(inputs.shape)")
        precondition(inputs.shape[0] == labels.count,
                     "TensorDataset: \(inputs.shape[0]) inputs (shape \(inputs.shape)) but \(labels.count) labels")
        TensorDataset.checkLabels(labels, classCount: classNames.count)
        self.storage = .floats(inputs)
        self.labels = labels
        self.classNames = classNames
        self.inputShape = Array(inputs.shape.dropFirst())
        self.rowMap = nil
    }

    /// A dataset stored as bytes: example `i` is `bytes[i * size ..< (i + 1) * size]`
    /// (`size = inputShape.reduce(1, *)`) as `Float(byte) / divisor` (255: [0, 1]).
    /// - Precondition: `bytes.count == labels.count * size`, `divisor` is finite and
    ///   non-zero, and every label is in `0..<classNames.count`.
    public init(bytes: [UInt8], dividingBy divisor: Float, inputShape: [Int], labels: [Int], classNames: [String]) {
        precondition(inputShape.allSatisfy { $0 >= 0 }, "TensorDataset: negative input shape \(inputShape)")
        precondition(bytes.count == labels.count * inputShape.reduce(1, *),
                     "TensorDataset: \(bytes.count) bytes for \(labels.count) examples of shape \(inputShape)")
        precondition(divisor.isFinite && divisor != 0, "TensorDataset: divisor \(divisor) must be finite and non-zero")
        TensorDataset.checkLabels(labels, classCount: classNames.count)
        self.storage = .bytes(bytes, divisor: divisor)
        self.labels = labels
        self.classNames = classNames
        self.inputShape = inputShape
        self.rowMap = nil
    }

    private static func checkLabels(_ labels: [Int], classCount: Int) {
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classCount },
                     "TensorDataset: a label is outside 0..<\(classCount) (the number of class names)")
    }

    private init(storage: Storage, rowMap: [Int]?, labels: [Int], classNames: [String], inputShape: [Int]) {
        self.storage = storage
        self.rowMap = rowMap
        self.labels = labels
        self.classNames = classNames
        self.inputShape = inputShape
    }

    /// The number of examples (rows this dataset sees).
    public var count: Int { labels.count }

    /// Whether this dataset is a view into a larger (shared) storage.
    public var isView: Bool { rowMap != nil }

    /// Whether the inputs are stored as bytes converted per batch (see the type's doc).
    public var hasByteStorage: Bool {
        if case .bytes = storage { return true }
        return false
    }

    /// The inputs as one Float tensor `[count] + inputShape` (copied out of the storage
    /// for a view or byte storage; shared otherwise).
    public var inputs: Tensor {
        if case .floats(let t) = storage, rowMap == nil { return t }
        return gather(rowMap ?? Array(0..<count))
    }

    public func label(at index: Int) -> Int { labels[index] }

    /// Example `index` as a Float tensor of `inputShape`, and its label.
    public func example(at index: Int) -> (input: Tensor, label: Int) {
        precondition(index >= 0 && index < count, "TensorDataset: index \(index) out of range 0..<\(count)")
        return (gather([rowMap?[index] ?? index]).reshaped(inputShape), labels[index])
    }

    /// The rows `indices` stacked as `[indices.count] + inputShape`, and their labels:
    /// one `gatherRows` (one `memcpy` per row), or one byte-to-Float conversion per row.
    public func batch(_ indices: [Int]) -> (inputs: Tensor, labels: [Int]) {
        let n = count
        var batchLabels = [Int](repeating: 0, count: indices.count)
        var rows = indices
        for (k, i) in indices.enumerated() {
            precondition(i >= 0 && i < n, "TensorDataset.batch: index \(i) out of range 0..<\(n)")
            batchLabels[k] = labels[i]
            if let rowMap { rows[k] = rowMap[i] }
        }
        return (gather(rows), batchLabels)
    }

    /// Storage rows `rows` as `[rows.count] + inputShape` Floats.
    private func gather(_ rows: [Int]) -> Tensor {
        switch storage {
        case .floats(let t):
            return t.gatherRows(rows)
        case .bytes(let bytes, let divisor):
            let size = inputShape.reduce(1, *)
            return Tensor(shape: [rows.count] + inputShape) { out in
                guard size > 0, let o = out.baseAddress else { return }
                bytes.withUnsafeBufferPointer { src in
                    for (k, r) in rows.enumerated() {
                        TensorDataset.convert(src.baseAddress! + r * size, into: o + k * size, count: size, divisor: divisor)
                    }
                }
            }
        }
    }

    /// `dst[j] = Float(src[j]) / divisor` (vectorized; exact IEEE division).
    @inline(__always)
    static func convert(_ src: UnsafePointer<UInt8>, into dst: UnsafeMutablePointer<Float>, count: Int, divisor: Float) {
        for j in 0..<count { dst[j] = Float(src[j]) / divisor }
    }

    /// The examples at `indices` (in that order; repeats allowed, as in a bootstrap
    /// sample), as a view sharing this dataset's storage.
    /// - Precondition: every index is in `0..<count`.
    public func subset(_ indices: [Int]) -> TensorDataset {
        let n = count
        var rows = [Int](repeating: 0, count: indices.count)
        var subsetLabels = [Int](repeating: 0, count: indices.count)
        for (k, i) in indices.enumerated() {
            precondition(i >= 0 && i < n, "TensorDataset.subset: index \(i) out of range 0..<\(n)")
            rows[k] = rowMap?[i] ?? i
            subsetLabels[k] = labels[i]
        }
        return TensorDataset(storage: storage, rowMap: rows, labels: subsetLabels,
                             classNames: classNames, inputShape: inputShape)
    }

    /// The same examples seen with another input shape of the same size, e.g. `[784]` ->
    /// `[1, 28, 28]` (channels, height, width) for convolutional layers. No copy.
    /// - Precondition: `inputShape` has as many elements as the current one.
    public func reshaped(inputShape newShape: [Int]) -> TensorDataset {
        let size = inputShape.reduce(1, *)
        precondition(newShape.allSatisfy { $0 >= 0 } && newShape.reduce(1, *) == size,
                     "TensorDataset.reshaped: input shape \(newShape) does not match \(inputShape)")
        let reshapedStorage: Storage
        switch storage {
        case .floats(let t): reshapedStorage = .floats(t.reshaped([t.shape[0]] + newShape))
        case .bytes: reshapedStorage = storage
        }
        return TensorDataset(storage: reshapedStorage, rowMap: rowMap,
                             labels: labels, classNames: classNames, inputShape: newShape)
    }

    /// The same dataset with other class names (same count or more).
    /// - Precondition: every label is below `classNames.count`.
    public func renamingClasses(_ newNames: [String]) -> TensorDataset {
        precondition(labels.allSatisfy { $0 < newNames.count }, "TensorDataset.renamingClasses: too few names")
        return TensorDataset(storage: storage, rowMap: rowMap, labels: labels, classNames: newNames, inputShape: inputShape)
    }

    /// A dataset owning exactly its rows as Floats (a view or byte storage is copied out;
    /// otherwise `self`). Useful to release a large shared storage once only a small
    /// subset is needed.
    public func materialized() -> TensorDataset {
        if case .floats = storage, rowMap == nil { return self }
        return TensorDataset(inputs: inputs, labels: labels, classNames: classNames)
    }

    /// A new dataset with the same labels whose inputs are `transform(inputs)`
    /// (which must keep the leading dimension).
    public func mapInputs(_ transform: (Tensor) throws -> Tensor) rethrows -> TensorDataset {
        let mapped = try transform(inputs)
        precondition(mapped.rank >= 1 && mapped.shape[0] == count,
                     "TensorDataset.mapInputs: the transform changed the example count (shape \(mapped.shape))")
        return TensorDataset(inputs: mapped, labels: labels, classNames: classNames)
    }

    /// The number of examples of each class, indexed by label.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for y in labels { counts[y] += 1 }
        return counts
    }

    /// The labels as one-hot rows `[count, classCount]`.
    public var oneHotLabels: Tensor { oneHot(labels, classCount: classCount) }

    /// Calls `body(i, row)` for every example in order with a pointer to its Floats
    /// (byte storage is converted one row at a time into a scratch buffer): fused passes
    /// over views without a gather copy.
    func forEachRow(_ body: (_ index: Int, _ row: UnsafePointer<Float>) -> Void) {
        let size = inputShape.reduce(1, *)
        guard size > 0 else { return }
        switch storage {
        case .floats(let t):
            t.withUnsafeBufferPointer { buffer in
                let base = buffer.baseAddress!
                for i in 0..<count { body(i, base + (rowMap?[i] ?? i) * size) }
            }
        case .bytes(let bytes, let divisor):
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: size)
            defer { scratch.deallocate() }
            bytes.withUnsafeBufferPointer { buffer in
                let base = buffer.baseAddress!
                for i in 0..<count {
                    TensorDataset.convert(base + (rowMap?[i] ?? i) * size, into: scratch, count: size, divisor: divisor)
                    body(i, scratch)
                }
            }
        }
    }
}
