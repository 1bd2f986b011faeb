import KilnTensor

/// Counts of (true class, predicted class) pairs.
///
/// `counts[t][p]` is the number of examples of class `t` predicted as `p`; the diagonal
/// holds the correct ones. Rows are true classes, columns predictions (scikit-learn's layout).
public struct ConfusionMatrix: Sendable, Equatable {
    /// `counts[t][p]`: examples of true class t predicted as p.
    public private(set) var counts: [[Int]]
    /// The class names, by label.
    public let classNames: [String]

    /// An empty matrix over `classNames`.
    public init(classNames: [String]) {
        self.classNames = classNames
        counts = Array(repeating: Array(repeating: 0, count: classNames.count), count: classNames.count)
    }

    /// Adds one (label, prediction) pair per example.
    public mutating func add(labels: [Int], predictions: [Int]) {
        precondition(labels.count == predictions.count, "ConfusionMatrix: \(labels.count) labels, \(predictions.count) predictions")
        for (t, p) in zip(labels, predictions) { counts[t][p] += 1 }
    }

    /// The number of examples counted.
    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
    /// The number counted on the diagonal (predicted right).
    public var correct: Int { counts.indices.reduce(0) { $0 + counts[$1][$1] } }
    /// Fraction correct (NaN with no examples).
    public var accuracy: Double { total == 0 ? .nan : Double(correct) / Double(total) }

    /// Recall of each class: correct / examples of that class.
    public var perClassAccuracy: [Double] {
        counts.indices.map { i in
            let n = counts[i].reduce(0, +)
            return n == 0 ? .nan : Double(counts[i][i]) / Double(n)
        }
    }

    /// A fixed-width text table with class names, counts and per-class accuracy.
    public func rendered() -> String {
        let width = max(6, (counts.flatMap { $0 }.max() ?? 0).description.count + 1)
        let nameWidth = min(14, max(5, classNames.map(\.count).max() ?? 5))
        func pad(_ s: String, _ w: Int, left: Bool = true) -> String {
            let cut = s.count > w ? String(s.prefix(w)) : s
            let fill = String(repeating: " ", count: w - cut.count)
            return left ? fill + cut : cut + fill
        }
        var lines = [pad("true \\ predicted", nameWidth + 2, left: false) + counts.indices.map { pad("\($0)", width) }.joined() + "  accuracy"]
        for (i, row) in counts.enumerated() {
            let name = pad("\(i) \(classNames[i])", nameWidth + 2, left: false)
            let acc = perClassAccuracy[i]
            lines.append(name + row.map { pad("\($0)", width) }.joined() + "  " + (acc.isNaN ? "-" : formatFixed(acc, 3)))
        }
        return lines.joined(separator: "\n")
    }
}

/// The result of evaluating a model on a dataset.
public struct Evaluation: Sendable {
    /// Mean data loss over the examples.
    public var loss: Double
    /// Fraction of examples predicted right.
    public var accuracy: Double { confusion.accuracy }
    /// The counts per (true class, prediction).
    public var confusion: ConfusionMatrix
    /// The predicted class of each example, in dataset order.
    public var predictions: [Int]

    /// An evaluation computed elsewhere (an ensemble's vote, a custom metric loop).
    public init(loss: Double, confusion: ConfusionMatrix, predictions: [Int]) {
        self.loss = loss
        self.confusion = confusion
        self.predictions = predictions
    }
}

/// Fixed-point formatting without Foundation's `String(format:)`.
public func formatFixed(_ x: Double, _ digits: Int) -> String {
    if x.isNaN { return "nan" }
    if x.isInfinite { return x > 0 ? "inf" : "-inf" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let r = (abs(x) * scale).rounded()
    let integer = Int(r / scale)
    let fraction = Int(r - Double(integer) * scale)
    var text = "\(integer)"
    if digits > 0 {
        let f = "\(fraction)"
        text += "." + String(repeating: "0", count: digits - f.count) + f
    }
    return (x < 0 && r != 0 ? "-" : "") + text
}
