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
/// ```swift
/// let (train, test) = try MNISTDirectory.fashionMNIST.loadTrainAndTest()
/// let (x, y) = train.batch([0, 5, 7])       // x: [3, 784], y: 3 labels
/// let images = train.reshaped(inputShape: [1, 28, 28])   // for conv layers
/// ```
public struct TensorDataset: Dataset {
    public let inputShape: [Int]
    public let classNames: [String]
    /// The label of each example, in `0..<classNames.count`.
    public let labels: [Int]
    /// All rows the dataset can see: `[M] + inputShape`.
    let storage: Tensor
    /// Example `i` is storage row `rowMap[i]`; nil: example `i` is row `i`.
    let rowMap: [Int]?

    /// A dataset of `inputs` (`[N] + inputShape`) with labels in `0..<classNames.count`.
    /// - Precondition: `inputs` has rank >= 1, `inputs.shape[0] == labels.count`, and
    ///   every label is in `0..<classNames.count` (validate user data before; the loaders
    ///   in this module do and throw ``DataError``).
    public init(inputs: Tensor, labels: [Int], classNames: [String]) {
        precondition(inputs.rank >= 1, "TensorDataset: inputs must have a leading example axis, got shape \(inputs.shape)")
        precondition(inputs.shape[0] == labels.count,
                     "TensorDataset: \(inputs.shape[0]) inputs (shape \(inputs.shape)) but \(labels.count) labels")
        let classes = classNames.count
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classes },
                     "TensorDataset: a label is outside 0..<\(classes) (the number of class names)")
        self.storage = inputs
        self.labels = labels
        self.classNames = classNames
        self.inputShape = Array(inputs.shape.dropFirst())
        self.rowMap = nil
    }

    private init(storage: Tensor, rowMap: [Int]?, labels: [Int], classNames: [String], inputShape: [Int]) {
        self.storage = storage
        self.rowMap = rowMap
        self.labels = labels
        self.classNames = classNames
        self.inputShape = inputShape
    }

    public var count: Int { labels.count }

    /// Whether this dataset is a view into a larger (shared) storage.
    public var isView: Bool { rowMap != nil }

    /// The inputs as one tensor `[count] + inputShape` (copied out of the storage for a view).
    public var inputs: Tensor {
        guard let rowMap else { return storage }
        return storage.gatherRows(rowMap)
    }

    public func label(at index: Int) -> Int { labels[index] }

    public func example(at index: Int) -> (input: Tensor, label: Int) {
        precondition(index >= 0 && index < count, "TensorDataset: index \(index) out of range 0..<\(count)")
        let row = rowMap?[index] ?? index
        return (storage.rows(row..<(row + 1)).reshaped(inputShape), labels[index])
    }

    /// The rows `indices` stacked as `[indices.count] + inputShape`, and their labels:
    /// one `gatherRows` (one `memcpy` per row).
    public func batch(_ indices: [Int]) -> (inputs: Tensor, labels: [Int]) {
        let n = count
        var batchLabels = [Int](repeating: 0, count: indices.count)
        var rows = indices
        for (k, i) in indices.enumerated() {
            precondition(i >= 0 && i < n, "TensorDataset.batch: index \(i) out of range 0..<\(n)")
            batchLabels[k] = labels[i]
            if let rowMap { rows[k] = rowMap[i] }
        }
        return (storage.gatherRows(rows), batchLabels)
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
        return TensorDataset(storage: storage.reshaped([storage.shape[0]] + newShape), rowMap: rowMap,
                             labels: labels, classNames: classNames, inputShape: newShape)
    }

    /// The same dataset with other class names (same count or more).
    /// - Precondition: every label is below `classNames.count`.
    public func renamingClasses(_ newNames: [String]) -> TensorDataset {
        precondition(labels.allSatisfy { $0 < newNames.count }, "TensorDataset.renamingClasses: too few names")
        return TensorDataset(storage: storage, rowMap: rowMap, labels: labels, classNames: newNames, inputShape: inputShape)
    }

    /// A dataset owning exactly its rows (a view copies them out; otherwise `self`).
    /// Useful to release a large shared storage once only a small subset is needed.
    public func materialized() -> TensorDataset {
        guard rowMap != nil else { return self }
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

    /// Reads storage rows in example order, for fused passes over a view (no gather copy).
    func withRows<R>(_ body: (_ base: UnsafePointer<Float>, _ rowSize: Int, _ rows: [Int]?) throws -> R) rethrows -> R {
        let rowSize = inputShape.reduce(1, *)
        return try storage.withUnsafeBufferPointer { buffer in
            // An empty storage has no base address; hand out a valid dummy pointer.
            if let base = buffer.baseAddress { return try body(base, rowSize, rowMap) }
            var dummy: Float = 0
            return try withUnsafePointer(to: &dummy) { try body($0, rowSize, rowMap) }
        }
    }
}
