import KilnTensor

/// The examples of any dataset at a list of indices (a view: nothing is copied or
/// decoded until a batch is requested). `TensorDataset.subset(_:)` returns a
/// `TensorDataset` instead; this is for other datasets (image folders, augmented data).
public struct DatasetSubset<Base: Dataset>: Dataset {
    /// The dataset the indices point into.
    public let base: Base
    /// Example `i` is `base`'s example `indices[i]`.
    public let indices: [Int]

    /// The examples of `base` at `indices`, in that order (repeats allowed).
    ///
    /// - Precondition: every index is in `0..<base.count`.
    public init(_ base: Base, indices: [Int]) {
        let n = base.count
        precondition(indices.allSatisfy { $0 >= 0 && $0 < n }, "DatasetSubset: an index is outside 0..<\(n)")
        self.base = base
        self.indices = indices
    }

    /// The number of indices.
    public var count: Int { indices.count }
    /// The base's input shape.
    public var inputShape: [Int] { base.inputShape }
    /// The base's class names.
    public var classNames: [String] { base.classNames }
    /// The base's example `indices[index]`.
    public func example(at index: Int) -> (input: Tensor, label: Int) { base.example(at: indices[index]) }
    public func label(at index: Int) -> Int { base.label(at: indices[index]) }
    public var labels: [Int] { indices.map { base.label(at: $0) } }
    /// The base's batch of the mapped indices.
    public func batch(_ batchIndices: [Int]) -> (inputs: Tensor, labels: [Int]) {
        base.batch(batchIndices.map { indices[$0] })
    }
}

extension Dataset {
    /// The examples at `indices` as a view (see ``DatasetSubset``).
    public func subset(_ indices: [Int]) -> DatasetSubset<Self> { DatasetSubset(self, indices: indices) }
}
