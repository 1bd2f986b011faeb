import KilnTensor

/// The training sample of one ensemble member: indices into the training set.
///
/// With replacement (bagging's bootstrap) `count` indices are drawn independently and
/// uniformly from `0..<population`, so an example can appear several times and some never
/// appear. The expected fraction of distinct examples is
///
///     E[unique] / n = 1 − (1 − 1/n)^m  →  1 − e^(−m/n)
///
/// which for `m = n` tends to 1 − 1/e ≈ 0.632: about 63.2% of the examples are in the bag
/// and 36.8% are *out of bag*, the examples this member never saw (see ``OutOfBag``).
/// Without replacement (pasting) the `count` indices are distinct.
public struct BootstrapSample: Sendable, Equatable {
    /// Indices into the training set in draw order (repeats allowed with replacement).
    public let indices: [Int]
    /// The size of the training set drawn from.
    public let population: Int

    /// Draws `count` indices from `0..<population` using `rng` only.
    /// - Precondition: `population > 0`, `count >= 0`, and `count <= population` when
    ///   drawing without replacement.
    public init(population: Int, count: Int, withReplacement: Bool, rng: inout RandomGenerator) {
        precondition(population > 0, "BootstrapSample: empty training set")
        precondition(count >= 0, "BootstrapSample: negative sample size \(count)")
        self.population = population
        self.indices = withReplacement
            ? rng.sampleWithReplacement(from: population, count: count)
            : rng.sampleWithoutReplacement(from: population, count: count)
    }

    /// A sample with given indices (hand-made examples, loading).
    /// - Precondition: every index is in `0..<population`.
    public init(indices: [Int], population: Int) {
        precondition(indices.allSatisfy { $0 >= 0 && $0 < population }, "BootstrapSample: an index is outside 0..<\(population)")
        self.indices = indices
        self.population = population
    }

    /// The number of draws (the member's epoch length).
    public var count: Int { indices.count }

    /// `inBag[j]` is true when example `j` was drawn at least once.
    public var inBag: [Bool] {
        var mask = [Bool](repeating: false, count: population)
        mask.withUnsafeMutableBufferPointer { m in
            for i in indices { m[i] = true }
        }
        return mask
    }

    /// The number of distinct examples drawn.
    public var uniqueCount: Int { inBag.reduce(0) { $0 + ($1 ? 1 : 0) } }

    /// `uniqueCount / population`.
    public var uniqueFraction: Double { Double(uniqueCount) / Double(population) }

    /// The examples never drawn, ascending: the member's out-of-bag examples.
    public var outOfBag: [Int] {
        let mask = inBag
        var result: [Int] = []
        result.reserveCapacity(population - min(population, count))
        for j in 0..<population where !mask[j] { result.append(j) }
        return result
    }

    /// The expected fraction of distinct examples in `count` draws with replacement from
    /// `population`: 1 − (1 − 1/n)^m.
    public static func expectedUniqueFraction(population n: Int, count m: Int) -> Double {
        precondition(n > 0, "expectedUniqueFraction: empty population")
        return 1 - pow1p(-1 / Double(n), Double(m))
    }
}

/// (1 + x)^y computed as exp(y · log1p(x)), accurate for tiny x.
private func pow1p(_ x: Double, _ y: Double) -> Double {
    if x == -1 { return y == 0 ? 1 : 0 }
    return exp(y * log1p(x))
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
