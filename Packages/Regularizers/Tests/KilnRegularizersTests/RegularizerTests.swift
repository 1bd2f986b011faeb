import KilnRegistry
import KilnRegularizers
import KilnTensor
import Testing
import _KilnTestSupport

/// w = [1, -2, 0, 3]: ‖w‖² = 14, ‖w‖₁ = 6.
private let w = Tensor([1, -2, 0, 3])

@Suite struct RegularizerTests {
    @Test func l2HandValues() {
        let r = L2(lambda: 0.1)
        expectClose(r.penalty(w), 0.7)  // 0.1/2 · 14
        expectClose(r.gradient(w), Tensor([0.1, -0.2, 0, 0.3]))
    }

    @Test func l1HandValuesAndZeroAtZero() {
        let r = L1(lambda: 0.1)
        expectClose(r.penalty(w), 0.6)  // 0.1 · 6
        let g = r.gradient(w)
        expectClose(g, Tensor([0.1, -0.1, 0, 0.1]))
        #expect(g[flat: 2] == 0)
        #expect(r.gradient(Tensor([-0.0, 0.0])).scalars == [0, 0])
        // Subnormal and infinite weights still get the full pull with their sign.
        #expect(r.gradient(Tensor([Float.leastNonzeroMagnitude, -Float.leastNonzeroMagnitude, .infinity, -.infinity, 1e30])).scalars == [0.1, -0.1, 0.1, -0.1, 0.1])
        #expect(ElasticNet(l1: 0.1, l2: 0).gradient(Tensor([-Float.leastNormalMagnitude / 4, 0, 2])).scalars == [-0.1, 0, 0.1])
        #expect(r.penalty(Tensor.zeros([5])) == 0)
    }

    @Test func elasticNetHandValuesAndParts() {
        let r = ElasticNet(l1: 0.1, l2: 0.2)
        expectClose(r.penalty(w), 2.0)  // 0.1·6 + 0.2/2·14
        expectClose(r.gradient(w), Tensor([0.3, -0.5, 0, 0.7]))
        // Each part alone is exactly L1 or L2.
        let v = Tensor([0.5, -1.5, 2.25])
        expectClose(ElasticNet(l1: 0, l2: 0.3).penalty(v), L2(lambda: 0.3).penalty(v))
        expectClose(ElasticNet(l1: 0.3, l2: 0).gradient(v), L1(lambda: 0.3).gradient(v))
    }

    @Test(arguments: ["l2(0.05)", "l1(lambda=0.02)", "elastic-net(l1=0.03, l2=0.07)"])
    func gradientMatchesFiniteDifferences(spec: String) throws {
        let r = try regularizers.make(spec)
        var rng = RandomGenerator(seed: 3)
        // Away from 0, where L1 has its kink.
        let x = Tensor.uniform([4, 5], low: 0.2, high: 1, using: &rng) * (Tensor.bernoulli([4, 5], p: 0.5, using: &rng) * 2 - 1)
        let numeric = numericalGradient(of: { r.penalty($0) }, at: x, step: 1e-2)
        #expect(gradientCheckDelta(numeric: numeric, analytic: r.gradient(x)) < 1e-3)
    }

    @Test(arguments: ["l2(0.05)", "l1(0.02)", "elastic-net(0.03, 0.07)"])
    func addGradientAccumulatesInPlace(spec: String) throws {
        let r = try regularizers.make(spec)
        var rng = RandomGenerator(seed: 4)
        let x = Tensor.normal([3, 7], using: &rng)
        let start = Tensor.normal([3, 7], using: &rng)
        var g = start
        r.addGradient(of: x, to: &g)
        expectClose(g, start + r.gradient(x))
    }

    @Test func parameterHelpersSkipUnregularized() {
        let weight = Parameter(name: "w", value: Tensor([1, -2]))
        let bias = Parameter(name: "b", value: Tensor([5]), isRegularized: false)
        let r = L2(lambda: 1)
        expectClose(r.penalty(of: [weight, bias]), 2.5)
        r.addGradients(to: [weight, bias])
        #expect(weight.gradient.scalars == [1, -2])
        #expect(bias.gradient.scalars == [0])
    }

    @Test(arguments: regularizers.allNames)
    func everyRegisteredNameRoundTripsAndConforms(name: String) throws {
        let r = try regularizers.make(name)
        let again = try regularizers.make(r.description)
        #expect(again.description == r.description)
        #expect(try Spec(parsing: r.description).name == name)
        #expect(checkRegularizerConformance(r, registry: regularizers) == [])
    }

    @Test func descriptionsPrintTheSpec() throws {
        #expect(try regularizers.make("l2(1e-4)").description == "l2(lambda=0.0001)")
        #expect(try regularizers.make("l1").description == "l1(lambda=0.01)")
        #expect(try regularizers.make("elastic-net(l2=0.5)").description == "elastic-net(l1=0.01, l2=0.5)")
    }

    @Test(arguments: ["l2(-1)", "l1(lambda=inf)", "l2(rate=0.1)", "elastic-net(l1=0.1, l2=0.1, l3=1)", "l1(true)",
                      "l3", "l2(0.1", "elastic-net(0.1, 0.2, 0.3)"])
    func badSpecsThrow(spec: String) {
        #expect(throws: (any Error).self) { try regularizers.make(spec) }
    }

    @Test func badSpecErrorIsOneLine() {
        do {
            _ = try regularizers.make("l2(lamda=0.1)")
            Issue.record("expected an error")
        } catch {
            let text = "\(error)"
            #expect(!text.contains("\n"))
            #expect(text.contains("lamda"))
            #expect(text.contains("lambda"))
        }
    }
}

/// A user-written regularizer that conforms (only `penalty` and `gradient`; the default
/// `addGradient` is used) and broken variants the conformance check must catch.
private struct Quartic: Regularizer {
    var scale: Float
    var breakGradient = false
    var offset: Float = 0
    func penalty(_ w: Tensor) -> Float { scale * (w.square() * w.square()).sum() + offset }
    func gradient(_ w: Tensor) -> Tensor { (breakGradient ? 2 : 4) * scale * w.square() * w }
    var description: String { "quartic(scale=\(scale))" }
}

@Suite struct ConformanceCheckTests {
    @Test func userRegularizerConforms() {
        #expect(checkRegularizerConformance(Quartic(scale: 0.5)) == [])
    }

    @Test func wrongGradientIsReported() {
        let failures = checkRegularizerConformance(Quartic(scale: 0.5, breakGradient: true))
        #expect(failures.contains { $0.contains("finite differences") })
    }

    @Test func nonzeroPenaltyAtZeroIsReported() {
        let failures = checkRegularizerConformance(Quartic(scale: 0.5, offset: 1))
        #expect(failures.contains { $0.contains("zero weights") })
    }

    @Test func unregisteredDescriptionIsReported() {
        let failures = checkRegularizerConformance(Quartic(scale: 0.5), registry: regularizers)
        #expect(failures.contains { $0.contains("registry cannot make") })
    }

    @Test func userRegularizerRegisteredByNameRoundTrips() {
        let registry = Registry<any Regularizer>(kind: "regularizer")
        registerBuiltInRegularizers(in: registry)
        registry.register("quartic") { spec in Quartic(scale: try spec.float("scale", default: 1)) }
        #expect(checkRegularizerConformance(Quartic(scale: 0.25), registry: registry) == [])
    }
}
