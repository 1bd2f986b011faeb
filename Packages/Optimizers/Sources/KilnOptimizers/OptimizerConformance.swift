import KilnRegistry
import KilnTensor

/// Checks an optimizer against the ``Optimizer`` implementation requirements and returns
/// one line per failure (empty when it conforms). Use it in your own tests:
///
/// ```swift
/// #expect(checkOptimizerConformance { SignSGD(learningRate: 0.1) } == [])
/// ```
///
/// `make` must return a fresh optimizer each call, all configured alike. On three
/// parameters (shapes [5], [2, 3] and a scalar) with seeded gradients that depend on the
/// values, it checks:
/// - determinism: two fresh optimizers given the same gradients end bit-identical;
/// - shapes: values keep their shapes, stay finite, and move;
/// - state round trip: a fresh optimizer restored from a mid-run snapshot continues
///   bit-identically, and `checkState(fits:)` accepts the parameters;
/// - restore rejects foreign state (an unknown tensor key; a tensor of the wrong shape
///   is rejected by `restore` or by `checkState(fits:)`);
/// - learning rate: a set value reads back, 0 from the first step leaves every value
///   unchanged, and halving it between steps changes the next step;
/// - spec: when `registry` knows the name in `description`, making `description` gives an
///   optimizer with the same description that takes the same steps.
public func checkOptimizerConformance(
    registry: Registry<any Optimizer>? = optimizers, steps: Int = 6, make: () throws -> any Optimizer
) -> [String] {
    var failures: [String] = []
    let probe: any Optimizer
    do { probe = try make() } catch { return ["make() threw: \(error)"] }
    let label = probe.description
    func fail(_ message: String) { failures.append("\(label): \(message)") }

    func fresh() -> any Optimizer {
        (try? make()) ?? probe
    }
    func parameters() -> [Parameter] {
        var rng = RandomGenerator(seed: 7)
        return [
            Parameter(name: "w", value: .normal([5], mean: 0, std: 1, using: &rng)),
            Parameter(name: "layer.b", value: .normal([2, 3], mean: 0, std: 1, using: &rng), isRegularized: false),
            Parameter(name: "s", value: Tensor(0.75)),
        ]
    }
    func copy(_ ps: [Parameter]) -> [Parameter] {
        ps.map { Parameter(name: $0.name, value: $0.value, isRegularized: $0.isRegularized) }
    }
    // The gradient at `step`: 0.5·θ + seeded noise (so the path depends on the values).
    func fillGradients(_ ps: [Parameter], step: Int) {
        var rng = RandomGenerator(seed: 1000 + UInt64(step))
        for p in ps {
            let noise = Tensor.normal(p.shape, mean: 0, std: 1, using: &rng)
            p.gradient = p.value * 0.5 + noise
        }
    }
    func run(_ optimizer: any Optimizer, _ ps: [Parameter], from start: Int, count: Int) {
        for s in start..<(start + count) {
            fillGradients(ps, step: s)
            optimizer.step(ps)
        }
    }
    func bitwiseEqual(_ a: [Parameter], _ b: [Parameter]) -> Bool {
        zip(a, b).allSatisfy { x, y in
            x.value.shape == y.value.shape && zip(x.value.scalars, y.value.scalars).allSatisfy { $0.bitPattern == $1.bitPattern }
        }
    }

    // Determinism and shapes.
    let initial = parameters()
    let a = parameters(), b = parameters()
    let optA = fresh(), optB = fresh()
    if optA === optB { fail("make() returned the same instance twice; it must make a fresh optimizer") }
    run(optA, a, from: 0, count: steps)
    run(optB, b, from: 0, count: steps)
    if !bitwiseEqual(a, b) { fail("two fresh optimizers given the same gradients ended with different values") }
    if optA.stateSnapshot() != optB.stateSnapshot() { fail("two fresh optimizers given the same gradients ended with different state") }
    for (p, q) in zip(a, initial) {
        if p.shape != q.shape { fail("step changed the shape of '\(p.name)' from \(q.shape) to \(p.shape)") }
        if !p.value.scalars.allSatisfy(\.isFinite) { fail("'\(p.name)' is not finite after \(steps) steps") }
    }
    if bitwiseEqual(a, initial) { fail("\(steps) steps did not change any value") }

    // State round trip.
    let half = max(1, steps / 2)
    let original = parameters()
    let optC = fresh()
    run(optC, original, from: 0, count: half)
    let snapshot = optC.stateSnapshot()
    let resumed = copy(original)
    run(optC, original, from: half, count: steps - half + 1)
    let optD = fresh()
    do {
        try optD.restore(snapshot)
        try optD.checkState(fits: resumed)
        run(optD, resumed, from: half, count: steps - half + 1)
        if !bitwiseEqual(original, resumed) {
            fail("a fresh optimizer restored from a snapshot did not continue bit-identically")
        }
        if optD.stateSnapshot() != optC.stateSnapshot() {
            fail("the restored optimizer's state differs from the original's after the same steps")
        }
    } catch {
        fail("restoring its own snapshot threw: \(error)")
    }

    // Foreign state is rejected.
    var foreign = snapshot
    foreign.tensors["w.no_such_slot_xyz"] = Tensor.zeros([5])
    if (try? fresh().restore(foreign)) != nil { fail("restore accepted an unknown tensor 'w.no_such_slot_xyz'") }
    if let key = snapshot.tensors.keys.sorted().first {
        var wrong = snapshot
        wrong.tensors[key] = Tensor.zeros([7, 7])
        let target = fresh()
        let rejected = (try? target.restore(wrong)) == nil || (try? target.checkState(fits: parameters())) == nil
        if !rejected { fail("a snapshot whose '\(key)' has shape [7, 7] was accepted by restore and checkState(fits:)") }
    }

    // Learning rate.
    let optE = fresh()
    optE.learningRate = 0.25
    if optE.learningRate != 0.25 { fail("learningRate set to 0.25 reads back \(optE.learningRate)") }
    optE.learningRate = 0
    let frozen = parameters()
    run(optE, frozen, from: 0, count: 3)
    if !bitwiseEqual(frozen, parameters()) { fail("steps with learningRate = 0 from the start changed the values") }
    let optF = fresh(), optG = fresh()
    let f = parameters(), g = parameters()
    run(optF, f, from: 0, count: 2)
    run(optG, g, from: 0, count: 2)
    optG.learningRate = optF.learningRate * 0.5
    run(optF, f, from: 2, count: 1)
    run(optG, g, from: 2, count: 1)
    if bitwiseEqual(f, g) { fail("halving learningRate between steps did not change the next step") }

    // Spec round trip.
    if let registry, let name = try? Spec(parsing: label).name, registry.contains(name) {
        do {
            let remade = try registry.make(label)
            if remade.description != label { fail("description '\(label)' makes an optimizer described as '\(remade.description)'") }
            let ps = parameters()
            run(remade, ps, from: 0, count: steps)
            if !bitwiseEqual(ps, a) { fail("the optimizer made from its description takes different steps") }
        } catch {
            fail("its description does not make an optimizer: \(error)")
        }
    }
    return failures
}
