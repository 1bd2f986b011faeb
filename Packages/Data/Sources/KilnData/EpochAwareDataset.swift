/// A dataset whose examples change from epoch to epoch (random augmentation): the trainer
/// tells it which epoch is starting.
///
/// `Trainer` (KilnTraining) calls `setEpoch(e)` with the 1-based number of the epoch
/// before that epoch's first batch, in every `fit`, including one resumed from a
/// checkpoint, so epoch e draws the same examples in an uninterrupted run and in a resumed
/// one, and no epoch repeats another's draws. A library user running their own loop calls
/// it the same way. Implementations must be safe to call while no batch is being read, and
/// `batch(_:)` must be safe to call from several threads at once (the trainer's shards
/// gather their rows in parallel). KilnAugmentation's `AugmentedDataset` conforms.
public protocol EpochAwareDataset: Dataset {
    /// Makes `batch(_:)` and `example(at:)` draw epoch `epoch`'s examples.
    func setEpoch(_ epoch: Int)
}
