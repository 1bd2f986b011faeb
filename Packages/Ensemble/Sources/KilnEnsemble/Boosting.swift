import Dispatch
import Foundation
import KilnData
import KilnLayers
import KilnTensor
import KilnTraining

/// Multi-class AdaBoost, SAMME (Zhu, Zou, Rosset and Hastie 2009), with neural members:
/// the members are made one after another, each on the training set re-weighted by the
/// mistakes of the ones before it (the course notes' boosting family, where learners
/// depend on each other; bagging's are independent).
///
/// With n training examples, K classes and weights w (all 1/n at first), round m:
/// 1. draws the member's sample: n indices **with replacement, with probability w_i**
///    (weighted resampling, so any trainer and loss train the member unchanged; a weighted
///    loss would need every loss to take weights), from the round's own random stream;
/// 2. trains the member on it (``MemberContext`` and ``MemberSetup`` as in ``Bagging``);
/// 3. scores it on the whole training set: err = Σ w_i [h(x_i) ≠ y_i] / Σ w_i;
/// 4. stops when err ≥ 1 − 1/K, no better than chance (the member is dropped; for the
///    first member this is an error, since there is nothing to boost);
/// 5. gives the member the weight α = ν·(log((1 − err)/err) + log(K − 1)), ν the
///    ``shrinkage`` (1 in SAMME as published; scikit-learn's `learning_rate`);
/// 6. multiplies the weights of the examples it got wrong by e^α and renormalizes.
///
/// Why shrinkage: a neural member is a strong learner. With ν = 1 the first member's
/// mistakes get so much weight that the next members train mostly on the hard examples,
/// score poorly on the rest, and together outvote the first (measured on Fashion-MNIST in
/// the Ensemble README). ν < 1 keeps each resample closer to the data's own distribution.
///
/// The ensemble predicts by the weighted vote argmax_k Σ_m α_m [h_m(x) = k]
/// (``Voting/hard`` with the α as member weights; ties go to the higher weighted mean
/// probability). A member with err = 0 gets α = log((1 − ε)/ε) + log(K − 1) with ε = 1e-12
/// and ends the boosting (no mistakes left to re-weight).
///
/// Randomness: round m's sample and training seed come from the m-th `split()` of a
/// generator seeded with `seed` (as bagging's members), so a run is reproducible and does
/// not depend on the thread count.
public struct Boosting: Sendable, Equatable {
    /// The most members to train (boosting may stop earlier).
    public let members: Int
    /// The seed that every round's sample and training seed derive from (default 1).
    public let seed: UInt64
    /// ν in (0, 1]: the factor on every α (default 1, SAMME as published).
    public let shrinkage: Double

    /// Boosting of up to `members` members with the given seed and shrinkage ν (default 1);
    /// throws `EnsembleError.invalidConfiguration` for a count below 1 or ν outside (0, 1].
    public init(members: Int, seed: UInt64 = 1, shrinkage: Double = 1) throws {
        guard members >= 1 else { throw EnsembleError.invalidConfiguration("an ensemble needs at least 1 member, got \(members)") }
        guard shrinkage > 0 && shrinkage <= 1 else { throw EnsembleError.invalidConfiguration("shrinkage must be in (0, 1], got \(shrinkage)") }
        self.members = members
        self.seed = seed
        self.shrinkage = shrinkage
    }

    /// err = 0 is clipped to this in α.
    public static let errorFloor = 1e-12

    /// The member weight α of a weighted training error for K classes.
    public static func memberWeight(error: Double, classes: Int) -> Double {
        let e = min(max(error, errorFloor), 1 - errorFloor)
        return log((1 - e) / e) + log(Double(max(2, classes) - 1))
    }

    /// Draws `count` indices from `0..<weights.count` with replacement, index i with
    /// probability weights[i] / Σ weights (inverse transform sampling on the cumulative
    /// sums, in Double).
    public static func weightedSample(_ weights: [Double], count: Int, rng: inout RandomGenerator) -> [Int] {
        precondition(!weights.isEmpty, "Boosting.weightedSample: no weights")
        var cumulative = [Double](repeating: 0, count: weights.count)
        var total = 0.0
        for (i, w) in weights.enumerated() {
            precondition(w.isFinite && w >= 0, "Boosting.weightedSample: weight \(w) is not a finite non-negative number")
            total += w
            cumulative[i] = total
        }
        precondition(total > 0, "Boosting.weightedSample: the weights sum to 0")
        return (0..<count).map { _ in
            let u = rng.uniformDouble() * total
            // The first i with cumulative[i] > u (a zero-weight example is never drawn).
            var low = 0, high = cumulative.count - 1
            while low < high {
                let mid = (low + high) / 2
                if cumulative[mid] > u { high = mid } else { low = mid + 1 }
            }
            return low
        }
    }

    /// Trains the members one after another (each with `threads` workers) and returns the
    /// ensemble: hard voting weighted by α, with ``Ensemble/boosting`` recording every
    /// round. `memberDidFinish` sees each round as it ends (progress output).
    ///
    /// Throws ``EnsembleError/invalidConfiguration(_:)`` when the first member is no better
    /// than chance, and ``EnsembleError/memberFailed(member:message:)`` when a member fails
    /// to build or train.
    public func fit(train: TensorDataset, dev: (any Dataset)? = nil, epochs: Int, threads: Int = Parallel.availableCores,
                    makeMember: (MemberContext) throws -> MemberSetup,
                    memberDidFinish: (BoostingRound) -> Void = { _ in }) throws -> Ensemble {
        guard epochs >= 1 else { throw EnsembleError.invalidConfiguration("epochs must be at least 1, got \(epochs)") }
        guard train.count > 0 else { throw EnsembleError.invalidConfiguration("the training set is empty") }
        let n = train.count
        let classes = train.classNames.count
        let chance = 1 - 1 / Double(max(2, classes))
        BLAS.threadCount = 1
        var root = RandomGenerator(seed: seed)
        var weights = [Double](repeating: 1 / Double(n), count: n)
        var models: [Sequential] = []
        var rounds: [BoostingRound] = []
        var stop: String?
        for m in 0..<members {
            var stream = root.split()
            let sample = BootstrapSample(indices: Boosting.weightedSample(weights, count: n, rng: &stream), population: n)
            let memberSeed = stream.next()
            let context = MemberContext(index: m, seed: memberSeed, sample: sample, train: train.subset(sample.indices),
                                        outOfBag: train.subset(sample.outOfBag))
            let setup: MemberSetup
            do { setup = try makeMember(context) } catch { throw EnsembleError.memberFailed(member: m, message: "\(error)") }
            let trainer = setup.trainer
            trainer.threads = threads
            let model = trainer.model
            guard model.inputShape == train.inputShape, model.outputShape == [classes] else {
                throw EnsembleError.memberFailed(member: m, message:
                    "the model maps \(model.inputShape) to \(model.outputShape); the data needs \(train.inputShape) to [\(classes)]")
            }
            let start = DispatchTime.now().uptimeNanoseconds
            do { try trainer.fit(train: setup.train ?? context.train, dev: setup.dev ?? dev, epochs: epochs) } catch {
                throw EnsembleError.memberFailed(member: m, message: "\(error)")
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let predictions = Trainer.evaluate(model: model, data: train, batchSize: trainer.evaluationBatchSize, threads: threads).predictions
            var missed = 0.0, total = 0.0, correct = 0
            for i in 0..<n {
                total += weights[i]
                if predictions[i] != train.labels[i] { missed += weights[i] } else { correct += 1 }
            }
            let error = missed / total
            if error >= chance {
                guard m > 0 else {
                    throw EnsembleError.invalidConfiguration(
                        "boosting: the first member's weighted training error \(formatted(error)) is no better than chance (1 - 1/\(classes) = \(formatted(chance))); "
                        + "train it longer or with a better model or learning rate")
                }
                stop = "member \(m + 1) had weighted training error \(formatted(error)), no better than chance (\(formatted(chance))); it was dropped"
                break
            }
            let alpha = shrinkage * Boosting.memberWeight(error: error, classes: classes)
            let round = BoostingRound(index: m, seed: memberSeed, weightedError: error, alpha: alpha,
                                      trainAccuracy: Double(correct) / Double(n), uniqueSamples: sample.uniqueCount,
                                      seconds: seconds, history: trainer.history)
            rounds.append(round)
            models.append(model)
            memberDidFinish(round)
            if missed == 0 {
                if m + 1 < members { stop = "member \(m + 1) made no training mistakes; nothing left to re-weight" }
                break
            }
            let factor = exp(alpha)
            var sum = 0.0
            for i in 0..<n {
                if predictions[i] != train.labels[i] { weights[i] *= factor }
                sum += weights[i]
            }
            for i in 0..<n { weights[i] /= sum }
        }
        let ensemble = try Ensemble(members: models, inputShape: train.inputShape, classNames: train.classNames,
                                    voting: .hard, weights: rounds.map(\.alpha))
        ensemble.boosting = BoostingSummary(settings: self, rounds: rounds, stop: stop)
        return ensemble
    }

    private func formatted(_ x: Double) -> String { String(format: "%.4f", x) }
}

/// One boosting round: the member it made and how it scored.
public struct BoostingRound: Sendable, Equatable, Codable {
    /// 0-based member number.
    public var index: Int
    /// The member's training seed.
    public var seed: UInt64
    /// Σ w_i [h(x_i) ≠ y_i] / Σ w_i with the weights this member was trained under.
    public var weightedError: Double
    /// log((1 − err)/err) + log(K − 1): the member's vote weight.
    public var alpha: Double
    /// The member's own (unweighted) accuracy on the whole training set.
    public var trainAccuracy: Double
    /// Distinct examples in its weighted sample.
    public var uniqueSamples: Int
    /// Wall time of the member's `fit`, in seconds.
    public var seconds: Double
    /// Its epochs (not saved with the ensemble).
    public var history: [EpochRecord] = []

    enum CodingKeys: String, CodingKey {
        case index, seed, weightedError = "weighted_error", alpha, trainAccuracy = "train_accuracy",
             uniqueSamples = "unique_samples", seconds
    }

    /// A record of round `index`.
    public init(index: Int, seed: UInt64, weightedError: Double, alpha: Double, trainAccuracy: Double,
                uniqueSamples: Int, seconds: Double, history: [EpochRecord] = []) {
        (self.index, self.seed, self.weightedError, self.alpha) = (index, seed, weightedError, alpha)
        (self.trainAccuracy, self.uniqueSamples, self.seconds, self.history) = (trainAccuracy, uniqueSamples, seconds, history)
    }

    // The seed is written as a string (see SeedCoding.swift).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        index = try c.decode(Int.self, forKey: .index)
        seed = try c.decodeSeed(forKey: .seed)
        weightedError = try c.decode(Double.self, forKey: .weightedError)
        alpha = try c.decode(Double.self, forKey: .alpha)
        trainAccuracy = try c.decode(Double.self, forKey: .trainAccuracy)
        uniqueSamples = try c.decode(Int.self, forKey: .uniqueSamples)
        seconds = try c.decode(Double.self, forKey: .seconds)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(index, forKey: .index)
        try c.encode(String(seed), forKey: .seed)
        try c.encode(weightedError, forKey: .weightedError)
        try c.encode(alpha, forKey: .alpha)
        try c.encode(trainAccuracy, forKey: .trainAccuracy)
        try c.encode(uniqueSamples, forKey: .uniqueSamples)
        try c.encode(seconds, forKey: .seconds)
    }
}

/// How a boosted ensemble was made: the settings, every round, and why it stopped early.
public struct BoostingSummary: Sendable, Equatable {
    /// The boosting settings.
    public var settings: Boosting
    /// Every round made, in order.
    public var rounds: [BoostingRound]
    /// Why fewer than `settings.members` members were made (nil: all were).
    public var stop: String?
}
