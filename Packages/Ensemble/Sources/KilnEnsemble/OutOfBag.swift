import KilnTensor

/// Out-of-bag evaluation: each training example is predicted only by the members whose
/// bootstrap sample left it out, so the score is an estimate of test accuracy that costs
/// no held-out data (Breiman 1996; scikit-learn's `oob_score_`).
///
/// The semantics follow scikit-learn's `BaggingClassifier`: for example `j`, the members
/// `M_j` that never drew `j` vote with the ensemble's rule (soft: mean probability; hard:
/// majority with ties broken by mean probability) and weights; an example counts only
/// if `M_j` is not empty (and has positive total weight). With `n` members each leaving out
/// about 36.8% of the examples, the share of examples every member drew is about
/// `0.632^n` (25% for 3 members, 1% for 10), and they are left out of the score.
///
/// ```swift
/// var oob = OutOfBag(population: train.count, classes: 10)
/// oob.add(probabilities: p, at: sample.outOfBag)   // p: [outOfBag.count, 10], per member
/// let score = oob.score(labels: train.labels, voting: .soft)
/// ```
public struct OutOfBag: Sendable {
    /// The size of the training set.
    public let population: Int
    /// The number of classes.
    public let classes: Int
    var tally: VoteTally

    /// An empty accumulator over `population` examples and `classes` classes.
    public init(population: Int, classes: Int) {
        precondition(population >= 0 && classes > 0, "OutOfBag: population \(population), classes \(classes)")
        self.population = population
        self.classes = classes
        tally = VoteTally(rows: population, classes: classes)
    }

    /// Adds one member's class probabilities `[indices.count, classes]` for the training
    /// examples `indices` (its out-of-bag examples, each at most once).
    public mutating func add(probabilities: Tensor, at indices: [Int], weight: Double = 1) {
        precondition(weight.isFinite && weight >= 0, "OutOfBag.add: weight \(weight) must be finite and non-negative")
        tally.add(probabilities, rows: indices, weight: weight)
    }

    /// How many members left example `j` out (and predicted it).
    public func memberCount(_ j: Int) -> Int { tally.memberCount[j] }

    /// The out-of-bag prediction of every example; nil where no member left it out.
    public func predictions(voting: Voting) -> [Int?] {
        (0..<population).map { tally.prediction(row: $0, voting: voting) }
    }

    /// The mean probabilities of the members that left each example out (zero rows
    /// where none did), `[population, classes]`.
    public var meanProbabilities: Tensor { tally.meanProbabilities() }

    /// Accuracy over the examples with at least one out-of-bag member.
    public func score(labels: [Int], voting: Voting) -> OutOfBagScore {
        precondition(labels.count == population, "OutOfBag.score: \(labels.count) labels for \(population) examples")
        var counted = 0, correct = 0
        for (j, p) in predictions(voting: voting).enumerated() {
            guard let p else { continue }
            counted += 1
            if p == labels[j] { correct += 1 }
        }
        return OutOfBagScore(correct: correct, counted: counted, population: population)
    }
}

extension OutOfBag {
    /// One member's accuracy on its out-of-bag examples: the share of rows of
    /// `probabilities` (`[indices.count, classes]`) whose largest entry is the label of the
    /// training example at the same position of `indices`; NaN when `indices` is empty.
    public static func accuracy(of probabilities: Tensor, at indices: [Int], labels: [Int]) -> Double {
        precondition(probabilities.shape.first == indices.count, "OutOfBag.accuracy: \(probabilities.shape) probabilities for \(indices.count) examples")
        guard !indices.isEmpty else { return .nan }
        let predicted = probabilities.argmaxIndices(axis: -1)
        var correct = 0
        for (row, j) in indices.enumerated() where predicted[row] == labels[j] { correct += 1 }
        return Double(correct) / Double(indices.count)
    }
}

/// An out-of-bag accuracy and what it was computed on.
public struct OutOfBagScore: Sendable, Equatable, Codable {
    /// Examples predicted correctly by their out-of-bag members.
    public var correct: Int
    /// Examples with at least one out-of-bag member (the denominator).
    public var counted: Int
    /// All training examples.
    public var population: Int

    /// A score of `correct` out of `counted` examples, of `population`.
    public init(correct: Int, counted: Int, population: Int) {
        self.correct = correct
        self.counted = counted
        self.population = population
    }

    /// `correct / counted`; NaN when no example was left out by any member (e.g. one
    /// member without bootstrap and `maxSamples` 1).
    public var accuracy: Double { counted == 0 ? .nan : Double(correct) / Double(counted) }

    /// The share of training examples that entered the score.
    public var coverage: Double { population == 0 ? .nan : Double(counted) / Double(population) }
}
