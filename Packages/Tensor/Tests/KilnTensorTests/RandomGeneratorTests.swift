import Testing
import KilnTensor
import _KilnTestSupport

@Suite struct RandomGeneratorTests {
    @Test func sameSeedSameStream() {
        var a = RandomGenerator(seed: 123)
        var b = RandomGenerator(seed: 123)
        for _ in 0..<1000 { #expect(a.next() == b.next()) }
        var c = RandomGenerator(seed: 124)
        var d = RandomGenerator(seed: 123)
        #expect((0..<10).map { _ in c.next() } != (0..<10).map { _ in d.next() })
    }

    /// The stream is fixed by the algorithm: these words pin it, so a change to the
    /// generator (which would change every seeded result) fails here.
    @Test func streamIsPinned() {
        var rng = RandomGenerator(seed: 0)
        let first = (0..<3).map { _ in rng.next() }
        var again = RandomGenerator(seed: 0)
        #expect(first == (0..<3).map { _ in again.next() })
        // SplitMix64(0) first output, the documented seeding of xoshiro.
        var sm: UInt64 = 0
        sm &+= 0x9E37_79B9_7F4A_7C15
        var z = sm
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        #expect(z ^ (z >> 31) == 0xE220_A839_7B1D_CDAF)
        #expect(first[0] == 0x99EC_5F36_CB75_F2B4)
    }

    @Test func splitStreamsDifferAndAreReproducible() {
        var parent = RandomGenerator(seed: 9)
        var child1 = parent.split()
        var child2 = parent.split()
        let s1 = (0..<100).map { _ in child1.next() }
        let s2 = (0..<100).map { _ in child2.next() }
        let sp = (0..<100).map { _ in parent.next() }
        #expect(s1 != s2 && s1 != sp && s2 != sp)
        #expect(Set(s1).intersection(s2).isEmpty)
        var again = RandomGenerator(seed: 9)
        var child1Again = again.split()
        #expect((0..<100).map { _ in child1Again.next() } == s1)
    }

    @Test func stateRoundTrip() {
        var rng = RandomGenerator(seed: 5)
        _ = rng.normal()  // leaves a cached spare
        let saved = rng.state
        var restored = RandomGenerator(state: saved)!
        #expect(restored == rng)
        #expect((0..<10).map { _ in restored.normal() } == (0..<10).map { _ in rng.normal() })
        #expect(RandomGenerator(state: [0, 0, 0, 0, 0, 0]) == nil)
        #expect(RandomGenerator(state: [1, 2]) == nil)
    }

    @Test func uniformMoments() {
        var rng = RandomGenerator(seed: 1)
        let x = Tensor.uniform([1_000_000], low: -1, high: 3, using: &rng)
        // mean 1, variance (b-a)^2/12 = 4/3; standard error of the mean ~ 1.2e-3.
        expectClose(x.mean(), 1, absoluteTolerance: 6e-3)
        expectClose(x.variance(), 4.0 / 3.0, relativeTolerance: 1e-2)
        #expect(x.min() >= -1 && x.max() < 3)
    }

    @Test func normalMoments() {
        var rng = RandomGenerator(seed: 2)
        let x = Tensor.normal([1_000_000], mean: 2, std: 0.5, using: &rng)
        expectClose(x.mean(), 2, absoluteTolerance: 3e-3)
        expectClose(x.variance().squareRoot(), 0.5, relativeTolerance: 1e-2)
        // Fraction within one sigma: 0.6827.
        let within = x.scalars.filter { abs($0 - 2) < 0.5 }.count
        expectClose(Float(within) / 1e6, 0.6827, absoluteTolerance: 3e-3)
    }

    @Test func truncatedNormalMoments() {
        var rng = RandomGenerator(seed: 3)
        let x = Tensor.truncatedNormal([1_000_000], std: 1, using: &rng)
        #expect(x.min() >= -2 && x.max() <= 2)
        // Std of a standard normal truncated at ±2: 0.8796.
        expectClose(x.variance().squareRoot(), 0.8796, relativeTolerance: 1e-2)
        expectClose(x.mean(), 0, absoluteTolerance: 3e-3)
    }

    @Test func bernoulliAndIntegers() {
        var rng = RandomGenerator(seed: 4)
        let b = Tensor.bernoulli([1_000_000], p: 0.3, using: &rng)
        expectClose(b.mean(), 0.3, absoluteTolerance: 2e-3)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<700_000 { counts[rng.int(below: 7)] += 1 }
        for c in counts { #expect(abs(c - 100_000) < 1_500) }
    }

    @Test func permutationShuffleAndSampling() {
        var rng = RandomGenerator(seed: 6)
        let p = rng.permutation(1000)
        #expect(p.sorted() == Array(0..<1000))
        #expect(p != Array(0..<1000))
        var a = Array(0..<10)
        rng.shuffle(&a)
        #expect(a.sorted() == Array(0..<10))
        let boot = rng.sampleWithReplacement(from: 10_000, count: 10_000)
        #expect(boot.allSatisfy { (0..<10_000).contains($0) })
        // About 1 - 1/e = 63.2% unique values in a bootstrap sample.
        expectClose(Float(Set(boot).count) / 10_000, 0.632, absoluteTolerance: 0.015)
        let distinct = rng.sampleWithoutReplacement(from: 50, count: 20)
        #expect(Set(distinct).count == 20)
        #expect(rng.permutation(0).isEmpty)
    }
}
