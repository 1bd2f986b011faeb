import KilnOptimizers
import KilnRegistry
import KilnTensor
import Testing
import _KilnTestSupport

/// Specs beyond the defaults whose conformance is checked too (each option is its own loop).
let optionSpecs = [
    "sgd(lr=0.1, momentum=0.9)", "sgd(lr=0.1, momentum=0.9, nesterov=true, weight_decay=0.1)",
    "sgd(lr=0.1, momentum=0.5, dampening=0.5)", "rmsprop(momentum=0.9)", "rmsprop(centered=true)",
    "rmsprop(momentum=0.5, centered=true)", "adam(amsgrad=true)", "adamw(amsgrad=true)",
    "adagrad(initial_accumulator=0.1, lr_decay=0.1)", "nadam(weight_decay=0.1)",
]

@Suite struct OptimizerTests {
    @Test(arguments: referenceSteps.map(\.spec))
    func firstThreeStepsMatchNumPyReference(spec: String) throws {
        let expected = try #require(referenceSteps.first { $0.spec == spec }?.steps)
        let optimizer = try optimizers.make(spec)
        let p = Parameter(name: "theta", value: Tensor(referenceStart))
        let c = Tensor(referenceC), d = Tensor(referenceD)
        for (step, values) in expected.enumerated() {
            p.gradient = c * p.value + d
            optimizer.step([p])
            for (i, want) in values.enumerated() {
                let got = p.value[flat: i]
                #expect(isClose(got, Float(want), relativeTolerance: 2e-5, absoluteTolerance: 2e-6),
                        "\(spec) step \(step + 1) element \(i): \(got) vs reference \(want)")
            }
        }
    }

    @Test func everyBuiltInHasReferenceValuesWithDefaultsAndOptions() {
        let covered = Set(referenceSteps.map { String($0.spec.prefix { $0 != "(" }) })
        for name in optimizers.names where !name.hasPrefix("test-") {
            #expect(covered.contains(name), "no NumPy reference steps for '\(name)'")
        }
    }

    @Test(arguments: allOptimizerNames + optionSpecs)
    func conformance(spec: String) {
        let failures = checkOptimizerConformance { try optimizers.make(spec) }
        #expect(failures == [], "\(failures.joined(separator: "\n"))")
    }

    @Test func conformanceCheckCatchesBrokenOptimizers() {
        /// Ignores the learning rate and keeps its state in a place snapshots do not see.
        final class Broken: PerParameterOptimizer {
            let storage = OptimizerStorage(learningRate: 0.1)
            var hidden: [String: Float] = [:]
            var description: String { "broken" }
            func update(_ u: ParameterUpdate) {
                let h = hidden[u.parameter.name, default: 0] + 0.01
                hidden[u.parameter.name] = h
                for i in 0..<u.count { u.value[i] -= h * u.gradient[i] }
            }
        }
        let failures = checkOptimizerConformance { Broken() }
        #expect(failures.contains { $0.contains("learningRate = 0 from the start") }, "\(failures)")
        #expect(failures.contains { $0.contains("did not continue bit-identically") }, "\(failures)")
    }

    @Test(arguments: allOptimizerNames + optionSpecs + referenceSteps.map(\.spec))
    func specRoundTrip(spec: String) throws {
        let made = try optimizers.make(spec)
        let again = try optimizers.make(made.description)
        #expect(again.description == made.description)
        #expect(try Spec(parsing: made.description) == Spec(parsing: again.description))
    }

    @Test func descriptionsShowDefaultsCompactly() throws {
        #expect(try optimizers.make("adam").description == "adam(lr=0.001)")
        #expect(try optimizers.make("adamw").description == "adamw(lr=0.001)")
        #expect(try optimizers.make("sgd(0.5)").description == "sgd(lr=0.5)")
        #expect(try optimizers.make("rmsprop(centered=true, momentum=0.9)").description
                == "rmsprop(lr=0.001, momentum=0.9, centered=true)")
        #expect(try optimizers.make("adamw(weight_decay=0)").description == "adamw(lr=0.001, weight_decay=0)")
        #expect(try optimizers.make("nag").description == "nesterov(lr=0.01)")
        let sgd = try optimizers.make("sgd(lr=0.1)")
        sgd.learningRate = 0.05
        #expect(sgd.description == "sgd(lr=0.05)")
    }

    @Test(arguments: [
        ("adam(lr=-1)", "lr"), ("adam(beta1=1)", "beta1"), ("adam(beta2=-0.1)", "beta2"), ("adam(eps=0)", "eps"),
        ("adam(amsgrad=3)", "amsgrad"), ("adam(lr=0.1, foo=1)", "foo"), ("sgd(momentum=-0.5)", "momentum"),
        ("sgd(nesterov=true)", "nesterov"), ("sgd(momentum=0.9, dampening=0.1, nesterov=true)", "nesterov"),
        ("sgd(dampening=2)", "dampening"), ("rmsprop(alpha=1.5)", "alpha"), ("adagrad(eps=-1)", "eps"),
        ("adadelta(rho=1)", "rho"), ("nadam(momentum_decay=-1)", "momentum_decay"), ("adamw(weight_decay=-0.1)", "weight_decay"),
        ("momentum(momentum=1)", "momentum"), ("adamm", "did you mean 'adam'"), ("adam(lr=", "optimizer"),
        ("adam(lr=fast)", "lr"),
    ])
    func badSpecsThrowOneClearLine(spec: String, mention: String) {
        do {
            let optimizer = try optimizers.make(spec)
            Issue.record("\(spec) made \(optimizer)")
        } catch {
            let text = "\(error)"
            #expect(text.contains(mention), "\(spec): \(text)")
            #expect(!text.contains("\n"), "\(spec): \(text)")
        }
    }

    @Test func learningRateChangesTakeEffectAtTheNextStep() {
        let sgd = SGD(learningRate: 0.1)
        let p = Parameter(name: "p", value: Tensor([1, 2]))
        p.gradient = Tensor([1, -1])
        sgd.step([p])
        sgd.learningRate = 0.5
        sgd.step([p])
        expectClose(p.value, Tensor([1 - 0.1 - 0.5, 2 + 0.1 + 0.5]))
    }

    @Test func restoredAdamContinuesBitIdenticallyAcrossLearningRateChanges() throws {
        func model() -> [Parameter] {
            var rng = RandomGenerator(seed: 3)
            return [Parameter(name: "0.weight", value: .normal([4, 3], mean: 0, std: 1, using: &rng)),
                    Parameter(name: "0.bias", value: .zeros([3]), isRegularized: false)]
        }
        func gradients(_ ps: [Parameter], _ step: Int) {
            var rng = RandomGenerator(seed: UInt64(step))
            for p in ps { p.gradient = p.value * 0.1 + Tensor.normal(p.shape, mean: 0, std: 1, using: &rng) }
        }
        let a = model()
        let adam = try optimizers.make("adam(lr=0.01, amsgrad=true, weight_decay=0.01)")
        adam.groups = [ParameterGroup(matching: { !$0.isRegularized }, weightDecay: 0)]
        for s in 0..<5 { adam.learningRate = 0.01 / Float(s + 1); gradients(a, s); adam.step(a) }
        let saved = adam.stateSnapshot()
        #expect(saved.scalars["0.weight.step"] == 5)
        #expect(saved.tensors["0.bias.max_exp_avg_sq"]?.shape == [3])
        #expect(saved.scalars["learning_rate"] == Double(Float(0.01) / 5))
        let b = a.map { Parameter(name: $0.name, value: $0.value, isRegularized: $0.isRegularized) }
        for s in 5..<9 { gradients(a, s); adam.step(a) }

        let fresh = try optimizers.make("adam(lr=0.01, amsgrad=true, weight_decay=0.01)")
        fresh.groups = [ParameterGroup(matching: { !$0.isRegularized }, weightDecay: 0)]
        try fresh.restore(saved)
        try fresh.checkState(fits: b)
        #expect(fresh.learningRate == adam.learningRate)
        for s in 5..<9 { gradients(b, s); fresh.step(b) }
        for (x, y) in zip(a, b) {
            #expect(x.value.scalars.map(\.bitPattern) == y.value.scalars.map(\.bitPattern))
        }
        #expect(fresh.stateSnapshot() == adam.stateSnapshot())
    }

    @Test func restoreRejectsStateThatDoesNotFit() throws {
        let p = Parameter(name: "w", value: Tensor([1, 2, 3]))
        p.gradient = Tensor([1, 1, 1])
        let adam = Adam()
        adam.step([p])
        let good = adam.stateSnapshot()

        func expectThrows(_ state: OptimizerState, into optimizer: any Optimizer = Adam(), _ mention: String) {
            do {
                try optimizer.restore(state)
                Issue.record("restore accepted a state that should mention '\(mention)'")
            } catch {
                #expect("\(error)".contains(mention), "\(error)")
                #expect(!"\(error)".contains("\n"))
            }
        }
        expectThrows(good, into: SGD(momentum: 0.9), "unexpected tensor 'w.exp_avg'")
        expectThrows(good, into: SGD(), "keeps no tensors")
        var missing = good
        missing.tensors["w.exp_avg_sq"] = nil
        expectThrows(missing, "missing tensor 'w.exp_avg_sq'")
        var shapes = good
        shapes.tensors["w.exp_avg_sq"] = Tensor.zeros([4])
        expectThrows(shapes, "has shape [4]")
        var step = good
        step.scalars["w.step"] = 1.5
        expectThrows(step, "'w.step' must be an integer >= 1")
        var orphan = good
        orphan.scalars["w.step"] = nil
        expectThrows(orphan, "no 'w.step'")
        var extra = good
        extra.scalars["w.mu_product"] = 1
        expectThrows(extra, "unexpected scalar 'w.mu_product'")
        var rate = good
        rate.scalars["learning_rate"] = -1
        expectThrows(rate, "learning_rate")
        expectThrows(good, into: NAdam(), "missing scalar 'w.mu_product'")

        // A failed restore leaves the state as it was.
        let target = Adam()
        target.step([p])
        let before = target.stateSnapshot()
        try? target.restore(shapes)
        #expect(target.stateSnapshot() == before)

        // A state that fits itself but not the model.
        let restored = Adam()
        try restored.restore(good)
        #expect(throws: OptimizerStateError.self) { try restored.checkState(fits: [Parameter(name: "w", value: .zeros([4]))]) }
        #expect(throws: OptimizerStateError.self) { try restored.checkState(fits: [Parameter(name: "v", value: .zeros([3]))]) }
        try restored.checkState(fits: [p])
    }

    @Test func snapshotsAreCopies() {
        let p = Parameter(name: "w", value: Tensor([1, 2]))
        p.gradient = Tensor([1, 1])
        let momentum = Momentum(learningRate: 0.1)
        momentum.step([p])
        let first = momentum.stateSnapshot()
        momentum.step([p])
        #expect(first.tensors["w.velocity"]!.scalars == [0.1, 0.1])
        #expect(momentum.stateSnapshot().tensors["w.velocity"]!.scalars != [0.1, 0.1])
    }

    @Test func stateIsPerParameterNameAndCreatedLazily() {
        let adam = Adam()
        #expect(adam.stateSnapshot().tensors.isEmpty)
        let a = Parameter(name: "a", value: Tensor([1])), b = Parameter(name: "b", value: Tensor([1, 2]))
        a.gradient = Tensor([1]); b.gradient = Tensor([1, 1])
        adam.step([a])
        adam.step([a, b])
        let state = adam.stateSnapshot()
        #expect(state.scalars["a.step"] == 2 && state.scalars["b.step"] == 1)
        #expect(Set(state.tensors.keys) == ["a.exp_avg", "a.exp_avg_sq", "b.exp_avg", "b.exp_avg_sq"])
        adam.storage.reset()
        #expect(adam.stateSnapshot().tensors.isEmpty)
    }
}
