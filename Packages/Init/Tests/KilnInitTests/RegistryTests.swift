import KilnInit
import KilnRegistry
import KilnTensor
import Testing

/// A spec for each name: the name alone, except where an argument is required.
func sampleSpec(for name: String) -> String {
    name == "constant" ? "constant(0.5)" : name
}

@Suite struct RegistryTests {
    @Test func expectedNamesAndAliasesAreRegistered() {
        #expect(initializers.names == [
            "constant", "fan-in-uniform", "he-normal", "he-uniform", "lecun-normal", "lecun-uniform", "normal", "ones",
            "orthogonal", "truncated-normal", "uniform", "variance-scaling", "xavier-normal", "xavier-uniform", "zeros",
        ])
        for (alias, canonical) in [("glorot-normal", "xavier-normal"), ("glorot-uniform", "xavier-uniform"),
                                   ("msra-normal", "he-normal"), ("kaiming-normal", "he-normal"),
                                   ("msra-uniform", "he-uniform"), ("kaiming-uniform", "he-uniform")] {
            #expect(initializers.canonicalName(for: alias) == canonical)
        }
    }

    /// Every name and alias makes an initializer whose description the registry turns
    /// back into one that makes the same weights from the same seed (and passes the
    /// conformance check).
    @Test(arguments: initializers.allNames)
    func everyNameMakesAndRoundTrips(name: String) throws {
        let first = try initializers.make(sampleSpec(for: name))
        let again = try initializers.make(first.description)
        #expect(first.description == again.description)
        #expect(try Spec(parsing: first.description).name == initializers.canonicalName(for: name))
        #expect(checkInitializerConformance(first, registry: initializers) == [])
    }

    @Test(arguments: [
        ("he-normal", "he-normal(mode=fan-in, slope=0)"),
        ("kaiming-uniform(mode=fan-out)", "he-uniform(mode=fan-out, slope=0)"),
        ("msra-normal(slope=0.1, mode=fan-avg)", "he-normal(mode=fan-avg, slope=0.1)"),
        ("glorot-uniform(gain=1.5)", "xavier-uniform(gain=1.5)"),
        ("xavier-normal(0.1)", "xavier-normal(gain=0.1)"),
        ("constant(0.1)", "constant(value=0.1)"),
        ("normal(std=0.01)", "normal(mean=0, std=0.01)"),
        ("uniform(-0.1, 0.2)", "uniform(low=-0.1, high=0.2)"),
        ("truncated-normal(std=0.02)", "truncated-normal(mean=0, std=0.02)"),
        ("orthogonal", "orthogonal(gain=1)"),
        ("variance-scaling", "variance-scaling(scale=1, mode=fan-in, distribution=truncated-normal)"),
        ("variance-scaling(2, distribution=uniform, mode=fan-avg)", "variance-scaling(scale=2, mode=fan-avg, distribution=uniform)"),
        ("zeros", "zeros"), ("lecun-normal", "lecun-normal"), ("fan-in-uniform", "fan-in-uniform"),
    ])
    func descriptionsPrintTheSpec(spec: String, printed: String) throws {
        #expect(try initializers.make(spec).description == printed)
    }

    @Test(arguments: [
        "constant", "constant(inf)", "normal(std=-1)", "normal(mean=nan)", "uniform(1, 0)", "uniform(low=-inf)",
        "truncated-normal(std=-0.5)", "he-normal(mode=fan-middle)", "he-uniform(slope=inf)", "he-normal(0.1)",
        "xavier-normal(gain=-1)", "orthogonal(gain=-1)", "variance-scaling(scale=0)",
        "variance-scaling(distribution=cauchy)", "variance-scaling(mode=fan_in)", "zeros(1)", "lecun-normal(scale=2)",
        "xavier-uniform(gain=relu)", "unknown-init", "he-normal(", "normal(std=0.1", "",
    ])
    func badSpecsThrowOneLineErrors(spec: String) {
        do {
            let made = try initializers.make(spec)
            Issue.record("'\(spec)' made \(made)")
        } catch {
            #expect(!"\(error)".isEmpty)
            #expect(!"\(error)".contains("\n"))
        }
    }

    @Test func unknownNameListsValidNames() {
        #expect {
            try initializers.make("he_normal")
        } throws: { error in
            "\(error)".contains("he-normal") && "\(error)".contains("xavier-uniform")
        }
    }

    @Test func sameSeedSameWeightsDifferentSeedDifferentWeights() throws {
        for name in initializers.names where !["zeros", "ones", "constant"].contains(name) {
            let init_ = try initializers.make(name)
            var a = RandomGenerator(seed: 99), b = RandomGenerator(seed: 99), c = RandomGenerator(seed: 100)
            let fan = Fan.dense(inputs: 16, outputs: 8)
            let x = init_.make(shape: [16, 8], fan: fan, rng: &a)
            #expect(x.scalars == init_.make(shape: [16, 8], fan: fan, rng: &b).scalars, "\(name)")
            #expect(x.scalars != init_.make(shape: [16, 8], fan: fan, rng: &c).scalars, "\(name)")
        }
    }

    @Test func userInitializerRegistersAndConforms() throws {
        struct Scaled: Initializer {
            var scale: Float
            func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
                Tensor.normal(shape, std: scale / Float(fan.fanIn).squareRoot(), using: &rng)
            }
            var description: String { "scaled(scale=\(scale))" }
        }
        let registry = Registry<any Initializer>(kind: "initializer")
        registerBuiltInInitializers(in: registry)
        registry.register("scaled") { spec in Scaled(scale: try spec.float("scale", default: 1)) }
        let made = try registry.make("scaled(scale=0.5)")
        #expect(checkInitializerConformance(made, registry: registry) == [])
        // Without the registration the round trip is reported, not crashed on.
        #expect(checkInitializerConformance(made, registry: initializers).contains { $0.contains("cannot make") })
    }

    @Test func conformanceCheckCatchesBrokenInitializers() {
        struct WrongShape: Initializer {
            func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor { Tensor.zeros([shape.reduce(1, *)]) }
            var description: String { "wrong-shape" }
        }
        struct Unseeded: Initializer {
            func make(shape: [Int], fan: Fan, rng: inout RandomGenerator) -> Tensor {
                var own = RandomGenerator(seed: UInt64.random(in: 0...UInt64.max))
                return Tensor.normal(shape, using: &own)
            }
            var description: String { "unseeded" }
        }
        #expect(checkInitializerConformance(WrongShape()).contains { $0.contains("shape") })
        #expect(checkInitializerConformance(Unseeded()).contains { $0.contains("same seed") })
    }
}
