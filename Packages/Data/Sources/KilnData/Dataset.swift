import KilnTensor

/// A labelled collection of examples for classification.
///
/// Implementation requirements:
/// - `count` examples, indexed 0..<count; `example(at:)` is deterministic.
/// - Every input has shape `inputShape` (e.g. `[784]` flattened, `[1, 28, 28]` CHW).
/// - Labels are in `0..<classNames.count`.
/// - `batch(_:)` returns inputs stacked along a new leading axis (`[n] + inputShape`) and
///   their labels; the default gathers examples one by one, in-memory datasets override
///   it with one copy per batch.
/// - `label(at:)` and `labels` have defaults that go through `example(at:)`; a dataset
///   that knows its labels without decoding inputs (image folders, tensors) should
///   provide them, since splits and stratification read every label.
public protocol Dataset: Sendable {
    /// The number of examples, indexed `0..<count`.
    var count: Int { get }
    /// The shape of one input without the batch axis: `[784]` flat, `[1, 28, 28]` CHW.
    var inputShape: [Int] { get }
    /// The class names by label; their count is the number of classes.
    var classNames: [String] { get }
    /// Example `index`: its input (of `inputShape`) and its label. Deterministic.
    func example(at index: Int) -> (input: Tensor, label: Int)
    /// The inputs at `indices` stacked along a new leading axis (`[n] + inputShape`), and their
    /// labels.
    func batch(_ indices: [Int]) -> (inputs: Tensor, labels: [Int])
    /// The label of example `index` (default: `example(at: index).label`).
    func label(at index: Int) -> Int
    /// Every label in example order (default: `label(at:)` for each index).
    var labels: [Int] { get }
}

extension Dataset {
    /// The number of classes, `classNames.count`.
    public var classCount: Int { classNames.count }

    public func label(at index: Int) -> Int { example(at: index).label }

    public var labels: [Int] { (0..<count).map { label(at: $0) } }

    /// Gathers the examples one by one through `example(at:)` (in-memory datasets do it in one
    /// copy).
    public func batch(_ indices: [Int]) -> (inputs: Tensor, labels: [Int]) {
        var scalars: [Float] = []
        scalars.reserveCapacity(indices.count * inputShape.reduce(1, *))
        var labels: [Int] = []
        labels.reserveCapacity(indices.count)
        for i in indices {
            let (x, y) = example(at: i)
            scalars.append(contentsOf: x.scalars)
            labels.append(y)
        }
        return (Tensor(shape: [indices.count] + inputShape, scalars: scalars), labels)
    }
}
