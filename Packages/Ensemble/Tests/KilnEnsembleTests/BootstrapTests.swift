import KilnTensor
import Testing
@testable import KilnEnsemble

@Suite struct BootstrapTests {
    /// n draws with replacement from n keep about 1 − 1/e ≈ 63.2% distinct examples. For
    /// n = 10,000 the standard deviation of that fraction is about 0.003, so ±0.012 is 4σ.
    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 17, 123_456])
    func aboutSixtyThreePercentUnique(seed: UInt64) {
        var rng = RandomGenerator(seed: seed)
        let sample = BootstrapSample(population: 10_000, count: 10_000, withReplacement: true, rng: &rng)
        #expect(sample.count == 10_000)
        #expect(abs(sample.uniqueFraction - 0.632) < 0.012, "seed \(seed): unique fraction \(sample.uniqueFraction)")
        #expect(abs(Double(sample.outOfBag.count) / 10_000 - 0.368) < 0.012)
    }

    @Test func meanUniqueFractionOverManySamplesMatchesTheFormula() {
        // 200 samples of 1,000 from 1,000: the mean fraction's standard deviation is ~0.001.
        var rng = RandomGenerator(seed: 9)
        var total = 0.0
        for _ in 0..<200 {
            total += BootstrapSample(population: 1000, count: 1000, withReplacement: true, rng: &rng).uniqueFraction
        }
        let expected = BootstrapSample.expectedUniqueFraction(population: 1000, count: 1000)
        #expect(abs(expected - (1 - 0.999.power(1000))) < 1e-12)
        #expect(abs(total / 200 - expected) < 0.004, "mean \(total / 200), expected \(expected)")
    }

    @Test func expectedFractionFormula() {
        #expect(abs(BootstrapSample.expectedUniqueFraction(population: 1_000_000, count: 1_000_000) - (1 - 1 / 2.718281828459045)) < 1e-6)
        // Half-size samples: 1 − e^(−1/2) ≈ 0.3935.
        #expect(abs(BootstrapSample.expectedUniqueFraction(population: 100_000, count: 50_000) - 0.39347) < 1e-4)
        #expect(BootstrapSample.expectedUniqueFraction(population: 1, count: 5) == 1)
        #expect(BootstrapSample.expectedUniqueFraction(population: 7, count: 0) == 0)
    }

    @Test func inBagAndOutOfBagPartitionThePopulation() {
        var rng = RandomGenerator(seed: 4)
        let sample = BootstrapSample(population: 500, count: 500, withReplacement: true, rng: &rng)
        let inBag = Set(sample.indices)
        let outOfBag = sample.outOfBag
        #expect(outOfBag == outOfBag.sorted())
        #expect(Set(outOfBag).isDisjoint(with: inBag))
        #expect(inBag.count + outOfBag.count == 500)
        #expect(sample.uniqueCount == inBag.count)
        #expect(sample.indices.count > inBag.count, "with replacement, 500 draws repeat some examples")
    }

    @Test func handMadeSample() {
        let sample = BootstrapSample(indices: [0, 0, 2, 2, 2], population: 5)
        #expect(sample.uniqueCount == 2)
        #expect(sample.outOfBag == [1, 3, 4])
        #expect(sample.inBag == [true, false, true, false, false])
    }

    @Test func withoutReplacementDrawsDistinctExamples() {
        var rng = RandomGenerator(seed: 5)
        let sample = BootstrapSample(population: 100, count: 60, withReplacement: false, rng: &rng)
        #expect(Set(sample.indices).count == 60)
        #expect(sample.outOfBag.count == 40)
    }

    @Test func sampleSizeIsTheFlooredFractionAndAtLeastOne() throws {
        #expect(try Bagging(members: 1, maxSamples: 1).sampleSize(population: 55_000) == 55_000)
        #expect(try Bagging(members: 1, maxSamples: 0.5).sampleSize(population: 55_001) == 27_500)
        #expect(try Bagging(members: 1, maxSamples: 0.001).sampleSize(population: 10) == 1)
    }

    @Test(arguments: [(0, 1.0), (-3, 1.0), (2, 0.0), (2, -0.5), (2, 1.5), (2, Double.nan), (2, Double.infinity)])
    func invalidBaggingIsAnError(members: Int, maxSamples: Double) {
        #expect(throws: EnsembleError.self) { try Bagging(members: members, maxSamples: maxSamples) }
    }

    @Test func planOfAMemberDependsOnlyOnSeedAndIndex() throws {
        let five = try Bagging(members: 5, seed: 42).plans(population: 1000)
        let three = try Bagging(members: 3, seed: 42).plans(population: 1000)
        #expect(Array(five.prefix(3)) == three)
        #expect(try Bagging(members: 5, seed: 42).plans(population: 1000) == five)
        #expect(Set(five.map(\.seed)).count == 5, "members get different seeds")
        #expect(Set(five.map(\.sample.indices)).count == 5, "members get different samples")
        let other = try Bagging(members: 5, seed: 43).plans(population: 1000)
        #expect(other[0].sample != five[0].sample)
    }
}

extension Double {
    fileprivate func power(_ n: Int) -> Double { (0..<n).reduce(1) { r, _ in r * self } }
}
