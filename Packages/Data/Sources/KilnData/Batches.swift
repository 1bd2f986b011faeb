import KilnTensor

/// The mini-batches of one epoch: index lists into a dataset of `exampleCount`
/// examples, each of `batchSize` indices (the last one shorter unless `dropLast`).
///
/// Shuffled batches follow a permutation drawn from
/// `RandomGenerator(seed: Batches.epochSeed(seed, epoch: epoch))`, so epoch `k`'s order
/// depends only on `(seed, k)`: a run resumed at epoch `k` sees exactly the batches an
/// uninterrupted run would, without replaying earlier epochs. Sequential batches
/// (``sequential(count:batchSize:)``) walk `0..<count` in order, for evaluation.
///
/// ```swift
/// for epoch in 1...10 {
///     for indices in Batches(count: train.count, batchSize: 128, seed: 1, epoch: epoch) {
///         let (x, y) = train.batch(indices)
///         ...
///     }
/// }
/// ```
public struct Batches: RandomAccessCollection, Sendable {
    /// The number of examples batched over.
    public let exampleCount: Int
    /// The most examples in a batch; the last batch may be smaller.
    public let batchSize: Int
    /// Whether a last batch smaller than `batchSize` is left out.
    public let dropLast: Bool
    /// The epoch's example order (batch `b` is `order[b * batchSize ..< ...]`).
    public let order: [Int]

    /// Shuffled batches for `epoch` (any integer; the Trainer counts from 1).
    /// - Precondition: `count >= 0`, `batchSize >= 1`.
    public init(count: Int, batchSize: Int, seed: UInt64, epoch: Int, dropLast: Bool = false) {
        precondition(count >= 0, "Batches: negative count \(count)")
        var rng = RandomGenerator(seed: Batches.epochSeed(seed, epoch: epoch))
        self.init(order: rng.permutation(count), batchSize: batchSize, dropLast: dropLast)
    }

    /// Batches over a given order.
    /// - Precondition: `batchSize >= 1`.
    public init(order: [Int], batchSize: Int, dropLast: Bool = false) {
        precondition(batchSize >= 1, "Batches: batch size must be at least 1, got \(batchSize)")
        self.exampleCount = order.count
        self.batchSize = batchSize
        self.dropLast = dropLast
        self.order = order
    }

    /// `0..<count` in order, in batches of `batchSize` (the last may be shorter).
    public static func sequential(count: Int, batchSize: Int) -> Batches {
        precondition(count >= 0, "Batches: negative count \(count)")
        return Batches(order: Array(0..<count), batchSize: batchSize, dropLast: false)
    }

    /// The seed of epoch `epoch`'s shuffle: KilnTensor's
    /// ``/KilnTensor/mixSeed(_:stream:substream:)`` with the epoch as the stream (distinct
    /// epochs give unrelated streams).
    public static func epochSeed(_ seed: UInt64, epoch: Int) -> UInt64 {
        mixSeed(seed, stream: UInt64(bitPattern: Int64(epoch)))
    }

    public var startIndex: Int { 0 }
    /// The number of batches: `count / batchSize` with `dropLast`, else rounded up.
    public var endIndex: Int { Batches.count(examples: exampleCount, batchSize: batchSize, dropLast: dropLast) }

    /// The number of batches of `batchSize` over `examples` examples: `examples / batchSize`
    /// with `dropLast`, else rounded up (the last batch shorter).
    public static func count(examples: Int, batchSize: Int, dropLast: Bool) -> Int {
        dropLast ? examples / batchSize : (examples + batchSize - 1) / batchSize
    }

    /// The indices of batch `b`.
    public subscript(b: Int) -> [Int] { Array(slice(b)) }

    /// The indices of batch `b` as a slice of ``order``, without copying; its `startIndex`
    /// is the batch's position in the epoch (`b * batchSize`), which the trainer uses as
    /// the first sample's number when it seeds per-sample randomness.
    public func slice(_ b: Int) -> ArraySlice<Int> {
        precondition(b >= 0 && b < endIndex, "Batches: batch \(b) out of range 0..<\(endIndex)")
        let lower = b * batchSize
        return order[lower..<Swift.min(lower + batchSize, exampleCount)]
    }
}
