import KilnInit
import KilnRegistry
import KilnTensor
import Testing

/// Sample mean and standard deviation, accumulated in Double.
func moments(_ t: Tensor) -> (mean: Double, std: Double) {
    t.withUnsafeBufferPointer { p in
        var s = 0.0
        for x in p { s += Double(x) }
        let mean = s / Double(p.count)
        var v = 0.0
        for x in p { v += (Double(x) - mean) * (Double(x) - mean) }
        return (mean, (v / Double(p.count)).squareRoot())
    }
}

/// One row: a spec, the shape (10⁶ elements) and fan it is drawn with, and the theory.
struct Expected: CustomTestStringConvertible, Sendable {
    var spec: String
    var shape: [Int] = [1000, 1000]
    var fan: Fan = conv
    var mean: Double = 0
    var std: Double
    var testDescription: String { spec }
}

/// A 3x3 conv from 32 to 64 channels: fan-in 288, fan-out 576, average 432.
let conv = Fan.conv(kernelHeight: 3, kernelWidth: 3, inputChannels: 32, outputChannels: 64)
let truncatedFactor = 0.8796256610342398
let sqrt12 = 12.0.squareRoot()

let expectations: [Expected] = [
    Expected(spec: "normal", std: 1),
    Expected(spec: "normal(mean=2, std=3)", mean: 2, std: 3),
    Expected(spec: "normal(0, 0.01)", std: 0.01),
    Expected(spec: "uniform", std: 0.1 / sqrt12),
    Expected(spec: "uniform(low=-1, high=3)", mean: 1, std: 4 / sqrt12),
    Expected(spec: "truncated-normal", std: truncatedFactor),
    Expected(spec: "truncated-normal(mean=1, std=2)", mean: 1, std: 2 * truncatedFactor),
    Expected(spec: "lecun-normal", std: (1.0 / 288).squareRoot()),
    Expected(spec: "lecun-uniform", std: (1.0 / 288).squareRoot()),
    Expected(spec: "fan-in-uniform", std: (1.0 / (3 * 288)).squareRoot()),
    Expected(spec: "fan-in-uniform", fan: .dense(inputs: 100, outputs: 7), std: (1.0 / 300).squareRoot()),
    Expected(spec: "xavier-normal", std: (2.0 / 864).squareRoot()),
    Expected(spec: "glorot-normal(gain=2)", std: 2 * (2.0 / 864).squareRoot()),
    Expected(spec: "xavier-uniform", std: (2.0 / 864).squareRoot()),
    Expected(spec: "xavier-uniform(gain=1.6666666)", std: 1.6666666 * (2.0 / 864).squareRoot()),
    Expected(spec: "he-normal", std: (2.0 / 288).squareRoot()),
    Expected(spec: "he-normal(mode=fan-out, slope=0.2)", std: (2 / 1.04 / 576).squareRoot()),
    Expected(spec: "kaiming-normal(mode=fan-avg)", std: (2.0 / 432).squareRoot()),
    Expected(spec: "he-uniform", std: (2.0 / 288).squareRoot()),
    Expected(spec: "msra-uniform(mode=fan-out, slope=0.01)", std: (2 / 1.0001 / 576).squareRoot()),
    // Orthogonal: entries of a semi-orthogonal rows x cols matrix have variance gain²/max(rows, cols).
    Expected(spec: "orthogonal", shape: [20, 50_000], std: (1.0 / 50_000).squareRoot()),
    Expected(spec: "orthogonal(gain=1.5)", shape: [40_000, 25], std: 1.5 * (1.0 / 40_000).squareRoot()),
    Expected(spec: "variance-scaling", std: (1.0 / 288).squareRoot()),
    Expected(spec: "variance-scaling(scale=2, mode=fan-avg, distribution=truncated-normal)", std: (2.0 / 432).squareRoot()),
    Expected(spec: "variance-scaling(scale=0.5, mode=fan-out, distribution=normal)", std: (0.5 / 576).squareRoot()),
    Expected(spec: "variance-scaling(scale=3, distribution=uniform)", std: (3.0 / 288).squareRoot()),
]

@Suite struct StatisticsTests {
    /// 10⁶ draws: the sample std is within 1% of theory; the sample mean within 1% of a
    /// nonzero theoretical mean, or within 0.01·std of a zero one (both bounds are about
    /// ten standard errors wide, so the test fails on a wrong formula, not on noise).
    @Test(arguments: expectations)
    func sampleMomentsMatchTheory(_ e: Expected) throws {
        let initializer = try initializers.make(e.spec)
        var rng = RandomGenerator(seed: 2024)
        let w = initializer.make(shape: e.shape, fan: e.fan, rng: &rng)
        #expect(w.shape == e.shape)
        #expect(w.count == 1_000_000)
        let (mean, std) = moments(w)
        #expect(abs(std - e.std) <= 0.01 * e.std, "std \(std), theory \(e.std)")
        if e.mean == 0 {
            #expect(abs(mean) <= 0.01 * e.std, "mean \(mean), std \(e.std)")
        } else {
            #expect(abs(mean - e.mean) <= 0.01 * abs(e.mean), "mean \(mean), theory \(e.mean)")
        }
    }

    @Test func everyCanonicalInitializerHasAStatisticsRow() throws {
        let covered = Set(try expectations.map { try initializers.canonicalName(for: Spec(parsing: $0.spec).name) ?? "?" })
        let constants: Set = ["zeros", "ones", "constant"]  // checked exactly below
        #expect(Set(initializers.names).subtracting(constants).subtracting(covered).isEmpty)
    }

    @Test(arguments: [("zeros", Float(0)), ("ones", 1), ("constant(0.25)", 0.25), ("constant(value=-3)", -3)])
    func constantsAreExact(spec: String, value: Float) throws {
        var rng = RandomGenerator(seed: 1)
        let before = rng
        let w = try initializers.make(spec).make(shape: [30, 40], fan: conv, rng: &rng)
        #expect(w.shape == [30, 40])
        #expect(w.scalars.allSatisfy { $0 == value })
        #expect(rng == before)  // draws nothing
    }

    @Test(arguments: ["uniform(-1, 3)", "lecun-uniform", "fan-in-uniform", "xavier-uniform(gain=2)", "he-uniform(slope=0.3)",
                      "variance-scaling(distribution=uniform)"])
    func uniformDrawsStayInsideTheirBound(spec: String) throws {
        var rng = RandomGenerator(seed: 5)
        let init_ = try initializers.make(spec)
        let w = init_.make(shape: [200, 500], fan: conv, rng: &rng)
        // The bound is √3 times the theoretical std; the sample reaches close to it.
        let (mean, std) = moments(w)
        let half = 3.0.squareRoot() * std
        #expect(Double(w.min()) >= mean - half * 1.01)
        #expect(Double(w.max()) <= mean + half * 1.01)
        #expect(Double(w.max()) >= mean + half * 0.98)
    }

    @Test(arguments: ["truncated-normal(mean=1, std=2)", "variance-scaling(scale=2, distribution=truncated-normal)"])
    func truncatedDrawsAreCutAtTwoSigma(spec: String) throws {
        var rng = RandomGenerator(seed: 6)
        let w = try initializers.make(spec).make(shape: [400, 500], fan: conv, rng: &rng)
        let sigma: Double = spec.hasPrefix("truncated") ? 2 : (2.0 / 288).squareRoot() / truncatedFactor
        let center: Double = spec.hasPrefix("truncated") ? 1 : 0
        #expect(Double(w.max()) <= center + 2 * sigma * (1 + 1e-6))
        #expect(Double(w.min()) >= center - 2 * sigma * (1 + 1e-6))
        #expect(Double(w.max()) >= center + 1.99 * sigma)
    }
}
