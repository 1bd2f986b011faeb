import KilnTensor

/// Bootstrap aggregating (Breiman 1996): `members` models, each trained on its own random
/// sample of the training set, combined by ``Voting``.
///
/// Randomness is split once, up front, in member order: a root generator seeded with
/// `seed` gives member `i` the child stream `root.split()` (the `i`-th split). From its
/// stream a member draws first its sample, then one 64-bit training seed (weights,
/// shuffling, dropout, augmentation). So member `i`'s sample and training depend only on
/// `(seed, i)`: not on how many members train at once, nor in which order they finish.
///
/// - `maxSamples`: the sample size as a fraction of the training set,
///   `m = max(1, ⌊maxSamples · n⌋)` (scikit-learn's float `max_samples`). Default 1.
/// - `bootstrap`: draw with replacement (default, bagging; ≈63.2% distinct examples when
///   `m = n`) or without (pasting; needs `maxSamples < 1` to differ between members and
///   to leave out-of-bag examples).
///
/// ```swift
/// let bagging = try Bagging(members: 5, seed: 1)
/// let ensemble = try await bagging.fit(train: train, dev: dev, epochs: 10) { member in
///     var rng = RandomGenerator(seed: member.seed)
///     let model = try Sequential.build(spec: "dense(256)|relu|dense(10)", inputShape: [784], rng: &rng)
///     return MemberSetup(trainer: Trainer(model: model, optimizer: try optimizers.make("adam"), seed: member.seed))
/// }
/// ```
public struct Bagging: Sendable, Equatable {
    /// The number of members (at least 1).
    public let members: Int
    /// The sample size as a fraction of the training set, in (0, 1] (default 1).
    public let maxSamples: Double
    /// Draw with replacement (bagging, the default) or without (pasting).
    public let bootstrap: Bool
    /// The seed that every member's sample and training seed derive from (default 1).
    public let seed: UInt64

    /// Throws ``EnsembleError/invalidConfiguration(_:)`` unless `members >= 1` and
    /// `maxSamples` is in (0, 1].
    public init(members: Int, maxSamples: Double = 1.0, bootstrap: Bool = true, seed: UInt64 = 1) throws {
        guard members >= 1 else { throw EnsembleError.invalidConfiguration("an ensemble needs at least 1 member, got \(members)") }
        guard maxSamples > 0 && maxSamples <= 1 else {
            throw EnsembleError.invalidConfiguration("max-samples must be in (0, 1], got \(maxSamples)")
        }
        self.members = members
        self.maxSamples = maxSamples
        self.bootstrap = bootstrap
        self.seed = seed
    }

    /// The number of examples each member draws from a training set of `n`:
    /// `max(1, ⌊maxSamples · n⌋)`.
    public func sampleSize(population n: Int) -> Int {
        max(1, min(n, Int((maxSamples * Double(n)).rounded(.down))))
    }

    /// Every member's sample and training seed for a training set of `population` examples.
    /// - Precondition: `population > 0`.
    public func plans(population: Int) -> [MemberPlan] {
        precondition(population > 0, "Bagging.plans: empty training set")
        var root = RandomGenerator(seed: seed)
        let size = sampleSize(population: population)
        return (0..<members).map { i in
            var stream = root.split()
            let sample = BootstrapSample(population: population, count: size, withReplacement: bootstrap, rng: &stream)
            return MemberPlan(index: i, sample: sample, seed: stream.next())
        }
    }
}

/// What one member trains on: its sample of the training set and its own seed.
public struct MemberPlan: Sendable, Equatable {
    /// 0-based member number.
    public let index: Int
    /// The member's sample of the training set.
    public let sample: BootstrapSample
    /// The member's training seed: use it for the model's initial weights and the
    /// trainer's shuffling (``MemberContext/seed``).
    public let seed: UInt64
}
