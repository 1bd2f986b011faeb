import KilnTensor

/// How an ensemble turns its members' class probabilities into one prediction.
///
/// With member probabilities `p_m(c | x)` (softmax outputs) and non-negative weights `w_m`
/// (all 1 unless given; normalized to sum to 1):
///
/// - ``soft`` (the default): the weighted mean probability
///   `p̄(c | x) = Σ_m w_m p_m(c | x)`, prediction `argmax_c p̄(c | x)`; exact ties go to the
///   lowest class index (like `argmax`).
/// - ``hard``: each member votes for its own `argmax_c p_m(c | x)` with weight `w_m`, the
///   class with the most votes wins. A tie between classes with equal votes is broken by
///   the highest mean probability `p̄(c | x)`, then by the lowest class index. A member's
///   own argmax also takes the lowest index on exact ties.
///
/// Sums are accumulated in `Double` in member order, so a result depends only on the
/// members and their order, never on timing. Votes are compared exactly, so weights
/// meant to tie should be exactly representable (1, 0.5, 2...).
public enum Voting: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The weighted mean probability decides.
    case soft
    /// Weighted votes for each member's own prediction decide.
    case hard

    public var description: String { rawValue }

    /// Combines member probability tables (each `[n, classes]`, rows summing to 1).
    /// - Precondition: at least one table, all of the same shape; `weights` (if given)
    ///   has one finite non-negative value per table with a positive sum (use
    ///   ``checkWeights(_:members:)`` on user input first).
    public func combine(_ probabilities: [Tensor], weights: [Double]? = nil) -> Vote {
        precondition(!probabilities.isEmpty, "Voting.combine: no member probabilities")
        let shape = probabilities[0].shape
        precondition(shape.count == 2, "Voting.combine: probabilities \(shape) should be [examples, classes]")
        for p in probabilities {
            precondition(p.shape == shape, "Voting.combine: member probabilities \(p.shape) and \(shape) differ")
        }
        let w = weights ?? Array(repeating: 1, count: probabilities.count)
        if let message = Voting.weightProblem(w, members: probabilities.count) { preconditionFailure("Voting.combine: \(message)") }
        var tally = VoteTally(rows: shape[0], classes: shape[1])
        for (m, p) in probabilities.enumerated() { tally.add(p, rows: nil, weight: w[m]) }
        return Vote(predictions: (0..<shape[0]).map { tally.prediction(row: $0, voting: self)! },
                    probabilities: self == .soft ? tally.meanProbabilities() : tally.voteShares(),
                    meanProbabilities: tally.meanProbabilities())
    }

    /// Throws ``EnsembleError/invalidConfiguration(_:)`` unless `weights` has `members`
    /// finite non-negative values with a positive sum.
    public static func checkWeights(_ weights: [Double], members: Int) throws {
        if let message = weightProblem(weights, members: members) { throw EnsembleError.invalidConfiguration(message) }
    }

    static func weightProblem(_ weights: [Double], members: Int) -> String? {
        if weights.count != members { return "\(weights.count) member weights for \(members) members" }
        if let bad = weights.first(where: { !($0.isFinite && $0 >= 0) }) { return "member weight \(bad) is not a finite non-negative number" }
        if !(weights.reduce(0, +) > 0) { return "member weights sum to 0; at least one must be positive" }
        return nil
    }
}

/// The outcome of a vote over `n` examples.
public struct Vote: Sendable {
    /// The predicted class of each example.
    public var predictions: [Int]
    /// Soft voting: the weighted mean probabilities `p̄`. Hard voting: the weighted vote
    /// shares (each row sums to 1, the winner's share is the largest, though ties are broken by `p̄`).
    public var probabilities: Tensor
    /// The weighted mean member probabilities `p̄` (both rules).
    public var meanProbabilities: Tensor
}

/// Per-example sums of weighted member probabilities and votes: the bookkeeping shared by
/// ``Voting/combine(_:weights:)`` (every member on every example) and ``OutOfBag`` (each
/// member only on the examples it never saw).
struct VoteTally: Sendable {
    let rows: Int
    let classes: Int
    /// Σ_m w_m p_m(c | x), row-major `[rows, classes]`.
    var probabilitySum: [Double]
    /// Σ_m w_m [argmax p_m = c], row-major `[rows, classes]`.
    var voteSum: [Double]
    /// Σ_m w_m per row over the members that contributed to it.
    var weightSum: [Double]
    /// The number of members that contributed to each row.
    var memberCount: [Int]

    init(rows: Int, classes: Int) {
        self.rows = rows
        self.classes = classes
        probabilitySum = Array(repeating: 0, count: rows * classes)
        voteSum = Array(repeating: 0, count: rows * classes)
        weightSum = Array(repeating: 0, count: rows)
        memberCount = Array(repeating: 0, count: rows)
    }

    /// Adds one member's probabilities `[m, classes]`: row `i` goes to tally row
    /// `rows[i]` (or `i` when `rows` is nil).
    mutating func add(_ probabilities: Tensor, rows targetRows: [Int]?, weight: Double) {
        let k = classes
        precondition(probabilities.rank == 2 && probabilities.shape[1] == k,
                     "VoteTally: probabilities \(probabilities.shape) should have \(k) classes")
        let m = probabilities.shape[0]
        precondition(targetRows.map { $0.count == m } ?? (m == rows), "VoteTally: \(m) probability rows for \(targetRows?.count ?? rows) examples")
        let n = rows
        probabilities.withUnsafeBufferPointer { pp in
            probabilitySum.withUnsafeMutableBufferPointer { ps in
                voteSum.withUnsafeMutableBufferPointer { vs in
                    for i in 0..<m {
                        let r = targetRows?[i] ?? i
                        precondition(r >= 0 && r < n, "VoteTally: row \(r) outside 0..<\(n)")
                        let p = pp.baseAddress! + i * k
                        let s = ps.baseAddress! + r * k
                        var best = 0
                        for c in 0..<k {
                            s[c] += weight * Double(p[c])
                            if p[c] > p[best] { best = c }
                        }
                        vs[r * k + best] += weight
                    }
                }
            }
        }
        if let targetRows {
            for r in targetRows { weightSum[r] += weight; memberCount[r] += 1 }
        } else {
            for r in 0..<n { weightSum[r] += weight; memberCount[r] += 1 }
        }
    }

    /// The prediction for `row`, or nil when no member with positive weight contributed.
    func prediction(row: Int, voting: Voting) -> Int? {
        guard weightSum[row] > 0, classes > 0 else { return nil }
        let k = classes
        return probabilitySum.withUnsafeBufferPointer { ps in
            voteSum.withUnsafeBufferPointer { vs in
                let p = ps.baseAddress! + row * k
                switch voting {
                case .soft:
                    var best = 0
                    for c in 1..<max(k, 1) where p[c] > p[best] { best = c }
                    return best
                case .hard:
                    let v = vs.baseAddress! + row * k
                    var best = 0
                    for c in 1..<max(k, 1) where v[c] > v[best] || (v[c] == v[best] && p[c] > p[best]) { best = c }
                    return best
                }
            }
        }
    }

    /// `probabilitySum / weightSum` per row as a `[rows, classes]` tensor (zeros for rows
    /// no member contributed to).
    func meanProbabilities() -> Tensor { normalized(probabilitySum) }

    /// `voteSum / weightSum` per row.
    func voteShares() -> Tensor { normalized(voteSum) }

    private func normalized(_ sums: [Double]) -> Tensor {
        let k = classes
        return Tensor(shape: [rows, classes]) { out in
            sums.withUnsafeBufferPointer { s in
                for r in 0..<rows {
                    let total = weightSum[r]
                    for c in 0..<k { out[r * k + c] = total > 0 ? Float(s[r * k + c] / total) : 0 }
                }
            }
        }
    }
}
