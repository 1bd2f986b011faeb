#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A seedable pseudo-random generator: xoshiro256** (Blackman and Vigna) seeded through
/// SplitMix64. The integer stream depends only on the seed, so it is the same on every
/// platform; floats are derived with exact arithmetic (uniforms) or in `Double` from
/// libm's `log`, `cos`, `sin` (normals).
///
/// - `split()` draws a 64-bit value and seeds a child with it through SplitMix64:
///   the child's stream is independent of the parent's (used per ensemble member,
///   per data-loader epoch, per sample of an augmentation pipeline).
/// - The whole state (four words plus the cached second normal) can be saved and
///   restored, so a resumed run draws exactly what an uninterrupted one would.
///
/// ```swift
/// var rng = RandomGenerator(seed: 42)
/// let w = Tensor.normal([784, 256], std: 0.05, using: &rng)
/// var child = rng.split()
/// let order = child.permutation(60_000)
/// ```
public struct RandomGenerator: RandomNumberGenerator, Sendable, Equatable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    /// The second value of the last Box-Muller pair, if not yet used.
    private var spareNormal: Double?

    /// A generator whose stream is determined by `seed`.
    public init(seed: UInt64) {
        var sm = seed
        s0 = RandomGenerator.splitMix64(&sm)
        s1 = RandomGenerator.splitMix64(&sm)
        s2 = RandomGenerator.splitMix64(&sm)
        s3 = RandomGenerator.splitMix64(&sm)
        spareNormal = nil
    }

    /// The full state as words (for checkpoints); `init(state:)` restores it.
    public var state: [UInt64] {
        [s0, s1, s2, s3, spareNormal == nil ? 0 : 1, spareNormal?.bitPattern ?? 0]
    }

    /// Restores a generator from `state`; nil if the words are not a valid state.
    public init?(state: [UInt64]) {
        guard state.count == 6, state[0] | state[1] | state[2] | state[3] != 0, state[4] <= 1 else { return nil }
        s0 = state[0]; s1 = state[1]; s2 = state[2]; s3 = state[3]
        spareNormal = state[4] == 1 ? Double(bitPattern: state[5]) : nil
    }

    /// One SplitMix64 step: returns the output for state `x` and advances the state.
    static func splitMix64(_ x: inout UInt64) -> UInt64 {
        let output = mixSeed(x, stream: 0)
        x &+= 0x9E37_79B9_7F4A_7C15
        return output
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 { nextWord() }

    @usableFromInline
    mutating func nextWord() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// An independent child generator; advances this one by one draw.
    public mutating func split() -> RandomGenerator {
        RandomGenerator(seed: next() ^ 0x5851_F42D_4C95_7F2D)
    }

    // MARK: Distributions

    /// Uniform in [0, 1) with 24 random bits (every Float multiple of 2⁻²⁴).
    public mutating func uniform() -> Float { Float(next() >> 40) * 0x1p-24 }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func uniformDouble() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        let x = low + (high - low) * uniform()
        return x < high ? x : low  // guard against rounding up to `high`
    }

    /// A uniform integer in 0..<n (unbiased, Lemire's multiply-and-reject).
    public mutating func int(below n: Int) -> Int {
        precondition(n > 0, "RandomGenerator.int(below:): n must be positive, got \(n)")
        let bound = UInt64(n)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return Int(m.high)
    }

    /// A standard normal value (Box-Muller in Double; the pair's second value is cached).
    public mutating func normal() -> Float {
        if let spare = spareNormal {
            spareNormal = nil
            return Float(spare)
        }
        let (z0, z1) = normalPair()
        spareNormal = z1
        return Float(z0)
    }

    /// A normal value with the given mean and standard deviation.
    public mutating func normal(mean: Float, std: Float) -> Float { mean + std * normal() }

    /// Two independent standard normal values.
    @inline(__always)
    mutating func normalPair() -> (Double, Double) {
        let u1 = 1 - uniformDouble()  // (0, 1]: log is finite
        let u2 = uniformDouble()
        let r = (-2 * Glibc_log(u1)).squareRoot()
        let theta = 2 * Double.pi * u2
        return (r * Glibc_cos(theta), r * Glibc_sin(theta))
    }

    /// A normal value redrawn until it lies within `bound` standard deviations of the mean
    /// (the truncated normal of TensorFlow/Keras: bound 2).
    public mutating func truncatedNormal(mean: Float = 0, std: Float = 1, bound: Float = 2) -> Float {
        precondition(bound > 0, "truncatedNormal: bound must be positive")
        while true {
            let z = normal()
            if Swift.abs(z) <= bound { return mean + std * z }
        }
    }

    /// True with probability `p`.
    public mutating func bernoulli(_ p: Float) -> Bool { uniform() < p }

    /// A random permutation of 0..<n (Fisher-Yates).
    public mutating func permutation(_ n: Int) -> [Int] {
        var a = Array(0..<n)
        shuffle(&a)
        return a
    }

    /// Shuffles in place (Fisher-Yates with unbiased indices).
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = int(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }

    /// `count` indices drawn uniformly from 0..<n with replacement (a bootstrap sample).
    public mutating func sampleWithReplacement(from n: Int, count: Int) -> [Int] {
        precondition(n > 0 || count == 0, "sampleWithReplacement: empty population")
        return (0..<count).map { _ in int(below: n) }
    }

    /// `count` distinct indices from 0..<n (partial Fisher-Yates).
    public mutating func sampleWithoutReplacement(from n: Int, count: Int) -> [Int] {
        precondition(count <= n, "sampleWithoutReplacement: \(count) from \(n)")
        var a = Array(0..<n)
        for i in 0..<count { a.swapAt(i, i + int(below: n - i)) }
        return Array(a.prefix(count))
    }
}

@inline(__always) private func Glibc_log(_ x: Double) -> Double { log(x) }
@inline(__always) private func Glibc_cos(_ x: Double) -> Double { cos(x) }
@inline(__always) private func Glibc_sin(_ x: Double) -> Double { sin(x) }

/// Random tensors.
extension Tensor {
    /// Uniform in [low, high).
    public static func uniform(_ shape: [Int], low: Float = 0, high: Float = 1, using rng: inout RandomGenerator) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = rng.uniform(low, high) }
        }
    }

    /// Normal with the given mean and standard deviation (pairs from Box-Muller).
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float = 1, using rng: inout RandomGenerator) -> Tensor {
        Tensor(shape: shape) { out in
            var i = 0
            while i + 1 < out.count {
                let (z0, z1) = rng.normalPair()
                out[i] = mean + std * Float(z0)
                out[i + 1] = mean + std * Float(z1)
                i += 2
            }
            if i < out.count { out[i] = mean + std * rng.normal() }
        }
    }

    /// Normal values redrawn until within `bound` standard deviations (default 2).
    public static func truncatedNormal(
        _ shape: [Int], mean: Float = 0, std: Float = 1, bound: Float = 2, using rng: inout RandomGenerator
    ) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = rng.truncatedNormal(mean: mean, std: std, bound: bound) }
        }
    }

    /// 1 with probability `p`, else 0.
    public static func bernoulli(_ shape: [Int], p: Float, using rng: inout RandomGenerator) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = rng.uniform() < p ? 1 : 0 }
        }
    }
}
