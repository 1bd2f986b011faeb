import Foundation
import KilnData
import KilnLayers
import KilnTensor
import KilnTraining

/// Trained models that predict together by ``Voting``: the result of
/// ``Bagging/fit(train:dev:epochs:parallelism:voting:weights:communicator:makeMember:)`` or of
/// ``load(from:)``, or assembled by hand from models of the same input and classes.
///
/// It answers the calls of a single model (``Classifier``): `predictProbabilities`,
/// `predict`, `evaluate`. ``report(on:batchSize:)`` adds what only an ensemble has:
/// each member's accuracy and how often the members agree.
///
/// ```swift
/// let ensemble = try Ensemble.load(from: "bagged")
/// let labels = ensemble.predict(images)                 // [n] class indices
/// let r = ensemble.report(on: test)
/// print(r.memberAccuracies, r.accuracy, r.agreement)
/// ```
///
/// Evaluation runs the members one after another, each split into chunks over ``threads``
/// workers (replicas of the member; the results do not depend on the count). An ensemble
/// is not safe to use from two threads at once (layers keep their buffers between calls).
public final class Ensemble: Classifier {
    /// The member models, in member order.
    public let members: [Sequential]
    public let inputShape: [Int]
    /// The class names, by label.
    public let classNames: [String]
    /// The rule used by `predict`, `predictProbabilities`, `evaluate` and `report`.
    public var voting: Voting
    /// Member weights (nil: equal); set with ``setWeights(_:)``.
    public private(set) var weights: [Double]?
    /// The bagging settings the members were trained with (nil when assembled by hand).
    public var bagging: Bagging?
    /// Everything recorded while training (nil for a loaded or hand-made ensemble).
    public var training: EnsembleTraining?
    /// The boosting rounds that made a boosted ensemble (``Boosting``), saved with it.
    public var boosting: BoostingSummary?
    /// A learned combiner (stacking): when set, it replaces ``voting`` in `predict`,
    /// `predictProbabilities`, `evaluate` and `report` (``voting`` still scores out of bag).
    /// Set it with ``fitCombiner(seed:epochs:)`` or by hand; saved with the ensemble.
    public var combiner: StackingCombiner? {
        didSet {
            if let combiner { precondition(combiner.members == members.count && combiner.classes == classNames.count,
                                           "Ensemble.combiner: made for \(combiner.members) members of \(combiner.classes) classes") }
        }
    }

    /// The rule that combines the members: `stacking` with a combiner, else ``voting``'s name.
    public var rule: String { combiner == nil ? voting.rawValue : "stacking" }

    /// Fits a ``StackingCombiner`` on the out-of-bag predictions of the bagging run that
    /// made this ensemble (``training``) and makes it the rule. Throws without them.
    public func fitCombiner(seed: UInt64, epochs: Int? = nil) throws {
        guard let training else {
            throw EnsembleError.invalidConfiguration("stacking needs the members' out-of-bag predictions, which only a fresh bagging fit has")
        }
        combiner = try StackingCombiner.fit(training, classNames: classNames, seed: seed, epochs: epochs)
    }

    /// The members' tables combined by the ensemble's rule: the vote, and the probabilities
    /// the ensemble's loss is measured on (the combiner's, or the weighted mean).
    func combine(_ probabilities: [Tensor]) -> (vote: Vote, probabilities: Tensor) {
        let vote = voting.combine(probabilities, weights: weights)
        guard let combiner else { return (vote, vote.meanProbabilities) }
        let stacked = combiner.combine(probabilities)
        return (Vote(predictions: stacked.argmaxIndices(), probabilities: stacked, meanProbabilities: vote.meanProbabilities), stacked)
    }
    /// The out-of-bag score computed after training, or the one saved with the ensemble.
    public var outOfBag: OutOfBagScore?
    /// Worker threads for prediction and evaluation (default: the cores this process may use).
    public var threads: Int = Parallel.availableCores
    /// The views each member's prediction looks at (default none; see
    /// ``/KilnTraining/TestTimeAugmentation``): with `flip`, each member's probabilities are
    /// its mean over the image and its mirror image, and the members vote with those.
    public var testTimeAugmentation: TestTimeAugmentation = .none

    /// Throws ``EnsembleError/invalidConfiguration(_:)`` when there are no members, when a
    /// member's input or output shape does not fit `inputShape` and the classes, or when
    /// the weights are invalid.
    public init(members: [Sequential], inputShape: [Int], classNames: [String], voting: Voting = .soft, weights: [Double]? = nil) throws {
        guard !members.isEmpty else { throw EnsembleError.invalidConfiguration("an ensemble needs at least 1 member") }
        guard !classNames.isEmpty else { throw EnsembleError.invalidConfiguration("an ensemble needs at least 1 class") }
        for (i, m) in members.enumerated() {
            guard m.inputShape == inputShape, m.outputShape == [classNames.count] else {
                throw EnsembleError.invalidConfiguration(
                    "member \(i + 1) maps \(m.inputShape) to \(m.outputShape); the ensemble needs \(inputShape) to [\(classNames.count)]")
            }
        }
        if let weights { try Voting.checkWeights(weights, members: members.count) }
        self.members = members
        self.inputShape = inputShape
        self.classNames = classNames
        self.voting = voting
        self.weights = weights
    }

    /// Sets the member weights (nil: equal); throws unless there is one finite
    /// non-negative weight per member with a positive sum.
    public func setWeights(_ weights: [Double]?) throws {
        if let weights { try Voting.checkWeights(weights, members: members.count) }
        self.weights = weights
    }

    // MARK: Predictions

    /// ``report(on:batchSize:)`` and ``stagedAccuracies(on:batchSize:)`` read the data in
    /// blocks of this many batches and hand each member a block, which its ``threads``
    /// workers share batch by batch. The batches start at multiples of the batch size
    /// whatever the thread count, so the results do not depend on it; a block bounds the
    /// inputs held at once (2,000 images for image models' batches of 250).
    static let chunksPerBlock = 8

    /// Each member's class probabilities for `inputs` (`[n] + inputShape`), `[n, classes]` each.
    public func memberProbabilities(_ inputs: Tensor, batchSize: Int = 1000) -> [Tensor] {
        members.map { Trainer.predictProbabilities(model: $0, inputs: inputs, batchSize: batchSize, threads: threads,
                                                   testTimeAugmentation: testTimeAugmentation) }
    }

    /// The members' vote on `inputs` with the ensemble's rule and weights (or combiner).
    public func vote(_ inputs: Tensor, batchSize: Int = 1000) -> Vote {
        combine(memberProbabilities(inputs, batchSize: batchSize)).vote
    }

    /// Soft voting: the weighted mean probabilities. Hard voting: the weighted vote shares.
    public func predictProbabilities(_ inputs: Tensor, batchSize: Int) -> Tensor {
        vote(inputs, batchSize: batchSize).probabilities
    }

    /// The voted class of each row (hard voting breaks ties by the mean probability).
    public func predict(_ inputs: Tensor, batchSize: Int) -> [Int] {
        vote(inputs, batchSize: batchSize).predictions
    }

    /// The ensemble's evaluation on `data` (see ``report(on:batchSize:)`` for the loss).
    public func evaluate(_ data: any Dataset, batchSize: Int) -> Evaluation {
        report(on: data, batchSize: batchSize).evaluation
    }

    /// Member and ensemble accuracy and member agreement on `data`, `batchSize` examples
    /// at a time. The ensemble's loss is the cross-entropy of the weighted mean
    /// probabilities, `−(1/n) Σ log p̄(y_i | x_i)` (for both voting rules; with a combiner,
    /// of its probabilities; a zero probability counts as the smallest positive Float,
    /// about 103.3).
    public func report(on data: any Dataset, batchSize: Int = 1000) -> EnsembleReport {
        precondition(batchSize > 0, "Ensemble.report: batch size must be positive")
        precondition(data.classNames.count == classNames.count,
                     "Ensemble.report: the data has \(data.classNames.count) classes, the ensemble \(classNames.count)")
        let k = classNames.count
        var confusion = ConfusionMatrix(classNames: data.classNames)
        var predictions: [Int] = []
        predictions.reserveCapacity(data.count)
        var memberCorrect = [Int](repeating: 0, count: members.count)
        var agreeingPairs = 0, unanimous = 0
        var lossSum = 0.0
        for indices in Batches.sequential(count: data.count, batchSize: batchSize * Self.chunksPerBlock) {
            let (x, labels) = data.batch(indices)
            let probabilities = memberProbabilities(x, batchSize: batchSize)
            let (vote, combined) = combine(probabilities)
            let memberPredictions = probabilities.map { $0.argmaxIndices() }
            combined.withUnsafeBufferPointer { mean in
                for (i, y) in labels.enumerated() {
                    lossSum -= log(Double(max(mean[i * k + y], Float.leastNonzeroMagnitude)))
                    var all = true
                    for a in 0..<members.count {
                        if memberPredictions[a][i] == y { memberCorrect[a] += 1 }
                        if memberPredictions[a][i] != memberPredictions[0][i] { all = false }
                        for b in (a + 1)..<max(a + 1, members.count) where memberPredictions[a][i] == memberPredictions[b][i] {
                            agreeingPairs += 1
                        }
                    }
                    if all { unanimous += 1 }
                }
            }
            confusion.add(labels: labels, predictions: vote.predictions)
            predictions += vote.predictions
        }
        let n = Double(data.count)
        let pairs = Double(members.count * (members.count - 1) / 2)
        return EnsembleReport(
            memberAccuracies: memberCorrect.map { data.count == 0 ? .nan : Double($0) / n },
            evaluation: Evaluation(loss: data.count == 0 ? .nan : lossSum / n, confusion: confusion, predictions: predictions),
            agreement: data.count == 0 ? .nan : (pairs == 0 ? 1 : Double(agreeingPairs) / (pairs * n)),
            unanimity: data.count == 0 ? .nan : Double(unanimous) / n)
    }

    /// The accuracy on `data` of the vote of the first m members (with their weights and
    /// the ensemble's rule), for m = 1 … members: how the ensemble improves as members are
    /// added (boosting's and bagging's error curves). With a combiner (fitted for all the
    /// members) the prefixes vote by ``voting`` instead.
    public func stagedAccuracies(on data: any Dataset, batchSize: Int = 1000) -> [Double] {
        precondition(batchSize > 0, "Ensemble.stagedAccuracies: batch size must be positive")
        var correct = [Int](repeating: 0, count: members.count)
        for indices in Batches.sequential(count: data.count, batchSize: batchSize * Self.chunksPerBlock) {
            let (x, labels) = data.batch(indices)
            let probabilities = memberProbabilities(x, batchSize: batchSize)
            for m in 1...members.count {
                let vote = voting.combine(Array(probabilities.prefix(m)), weights: weights.map { Array($0.prefix(m)) })
                for (p, y) in zip(vote.predictions, labels) where p == y { correct[m - 1] += 1 }
            }
        }
        return correct.map { data.count == 0 ? .nan : Double($0) / Double(data.count) }
    }

    /// `model`'s probabilities on the examples `indices` of `data`, `[indices.count, classes]`.
    static func memberProbabilities(_ model: Sequential, data: any Dataset, indices: [Int], batchSize: Int, threads: Int,
                                    testTimeAugmentation: TestTimeAugmentation = .none) -> Tensor {
        let k = model.outputShape.reduce(1, *)
        guard !indices.isEmpty else { return Tensor(shape: [0, k], scalars: []) }
        let (x, _) = data.batch(indices)
        return Trainer.predictProbabilities(model: model, inputs: x, batchSize: max(1, batchSize), threads: threads,
                                            testTimeAugmentation: testTimeAugmentation)
    }
}

/// How an ensemble and its members did on one dataset.
public struct EnsembleReport: Sendable {
    /// Each member's accuracy on its own (argmax of its probabilities).
    public var memberAccuracies: [Double]
    /// The ensemble's loss, accuracy, confusion matrix and predictions.
    public var evaluation: Evaluation
    /// The mean over member pairs and examples of [member a and member b predict the same
    /// class]; 1 for a single member.
    public var agreement: Double
    /// The share of examples on which all members predict the same class.
    public var unanimity: Double

    /// The ensemble's accuracy.
    public var accuracy: Double { evaluation.accuracy }
    /// The mean of the members' accuracies.
    public var meanMemberAccuracy: Double { memberAccuracies.reduce(0, +) / Double(memberAccuracies.count) }
    /// The best member's accuracy.
    public var bestMemberAccuracy: Double { memberAccuracies.max() ?? .nan }
    /// Ensemble accuracy minus the best member's (positive: the vote beats every member).
    public var gainOverBestMember: Double { accuracy - bestMemberAccuracy }
}
