import KilnRegistry
import KilnTensor

/// Checks the implementation requirements of ``Layer`` on a layer and returns one line per
/// failure (empty: it conforms). `make` makes a fresh, unbuilt layer each time it is
/// called; `inputShape` is a per-example shape the layer accepts. Runs in milliseconds on
/// small shapes; call it from your own tests:
///
/// ```swift
/// #expect(checkLayerConformance({ Swish() }, inputShape: [5], registry: layers) == [])
/// ```
///
/// What it checks, on a batch of 3 examples drawn with `seed`:
/// 1. `build` names every parameter and buffer `"<name>.<something>"`, uniquely, and
///    returns an output shape with positive extents; building twice with the same seed
///    gives the same parameters (randomness only from `rng`);
/// 2. `forward` returns `[3] + outputShape`, finite, and the same output twice in
///    evaluation mode (and in training mode after the same `reseed`);
/// 3. the gradients of parameters and input match finite differences (``GradientCheck``
///    of a fixed random linear loss), in training and in evaluation mode;
/// 4. `backward` overwrites the parameters' gradients (a second forward and backward on
///    the same input gives the same gradients, not twice them), and returns the input's
///    shape; with `needsInputGradient = false` it may return ``emptyGradient`` instead;
/// 5. with `registry`: `registry.make(description)` builds, with the same seed, a layer
///    with the same description, parameters, buffers and evaluation output (the spec
///    round trip that model files and the data-parallel trainer's replicas rely on).
public func checkLayerConformance(_ make: () throws -> any Layer, inputShape: [Int],
                                  registry: Registry<any Layer>? = nil, seed: UInt64 = 1) -> [String] {
    var failures: [String] = []
    var label = "layer"
    func fail(_ message: String) { failures.append("\(label): \(message)") }
    func built() throws -> (any Layer, [Int]) {
        let layer = try make()
        var rng = RandomGenerator(seed: seed)
        let shape = try layer.build(inputShape: inputShape, name: "7.probe", rng: &rng)
        return (layer, shape)
    }
    let layer: any Layer, outputShape: [Int]
    do { (layer, outputShape) = try built() } catch {
        return ["layer: build(inputShape: \(inputShape)) threw: \(error)"]
    }
    label = layer.description

    // 1. Names, shapes, determinism of build.
    let names = (layer.parameters + layer.buffers).map(\.name)
    for name in names where !name.hasPrefix("7.probe.") { fail("parameter or buffer '\(name)' is not named '7.probe.<something>'") }
    if Set(names).count != names.count { fail("parameter and buffer names repeat: \(names)") }
    if outputShape.isEmpty || outputShape.contains(where: { $0 < 1 }) { fail("build returned the output shape \(outputShape)") }
    if let (twin, _) = try? built() {
        if (twin.parameters + twin.buffers).map(\.value) != (layer.parameters + layer.buffers).map(\.value) {
            fail("building twice with the same seed gives different parameters (randomness must come only from rng)")
        }
    }

    // Training-mode forwards update buffers (BatchNorm's running statistics); every stage
    // below starts from the built values.
    let savedBuffers = layer.buffers.map(\.value)
    func restoreBuffers() { for (b, v) in zip(layer.buffers, savedBuffers) { b.value = v } }

    // 2. Forward shape, finiteness, determinism.
    var rng = RandomGenerator(seed: seed &+ 1)
    let batch = 3
    let input = Tensor.normal([batch] + inputShape, using: &rng)
    let projection = Tensor.normal([batch] + outputShape, using: &rng)
    let evaluation = layer.forward(input, training: false)
    guard evaluation.shape == [batch] + outputShape else {
        fail("forward returned shape \(evaluation.shape), expected \([batch] + outputShape)")
        return failures
    }
    if !evaluation.isFinite { fail("forward of finite input is not finite") }
    if layer.forward(input, training: false) != evaluation { fail("forward in evaluation mode is not deterministic") }
    layer.reseed(seed)
    let first = layer.forward(input, training: true)
    layer.reseed(seed)
    if layer.forward(input, training: true) != first { fail("forward in training mode differs after the same reseed") }
    restoreBuffers()

    // 3. Gradients against finite differences, both modes.
    let loss: (Tensor) -> (loss: Double, gradient: Tensor) = { y in
        var total = 0.0
        y.withUnsafeBufferPointer { yp in projection.withUnsafeBufferPointer { rp in
            for i in 0..<yp.count { total += Double(yp[i]) * Double(rp[i]) }
        } }
        return (total, projection)
    }
    for training in [true, false] {
        let rows = GradientCheck(training: training, checkInput: true, seed: seed).run(layer, input: input, loss: loss)
        for row in rows where !row.passed {
            fail("\(training ? "training" : "evaluation")-mode gradient of \(row.name) is off: delta \(row.delta) (numeric norm \(row.numericNorm), backward's \(row.analyticNorm))")
        }
    }
    restoreBuffers()

    // 4. backward overwrites.
    layer.needsInputGradient = true
    layer.reseed(seed)
    _ = layer.forward(input, training: true)
    let dx = layer.backward(projection)
    let once = layer.parameters.map(\.gradient)
    if dx.shape != input.shape { fail("backward returned shape \(dx.shape), expected the input's \(input.shape)") }
    layer.reseed(seed)
    _ = layer.forward(input, training: true)
    _ = layer.backward(projection)
    if layer.parameters.map(\.gradient) != once { fail("a second backward changed the gradients: backward must overwrite them, not accumulate") }
    layer.needsInputGradient = false
    layer.reseed(seed)
    _ = layer.forward(input, training: true)
    let skipped = layer.backward(projection)
    if skipped.shape != [0] && skipped.shape != input.shape {
        fail("with needsInputGradient false, backward returned shape \(skipped.shape) (expected [0] or the input's)")
    }
    layer.needsInputGradient = true
    restoreBuffers()

    // 5. The spec round trip.
    if let registry {
        do {
            let again = try registry.make(layer.description)
            var rng = RandomGenerator(seed: seed)
            let shape = try again.build(inputShape: inputShape, name: "7.probe", rng: &rng)
            if again.description != layer.description { fail("the spec round trip gives \"\(again.description)\"") }
            if shape != outputShape { fail("the spec round trip builds the output shape \(shape), not \(outputShape)") }
            let mine = layer.parameters + layer.buffers, theirs = again.parameters + again.buffers
            if mine.map(\.name) != theirs.map(\.name) || mine.map(\.value) != theirs.map(\.value) {
                fail("the layer made from \"\(layer.description)\" has other parameters or buffers")
            } else if again.forward(input, training: false) != layer.forward(input, training: false) {
                fail("the layer made from \"\(layer.description)\" computes another output")
            }
        } catch {
            fail("the registry cannot make \"\(layer.description)\": \(error)")
        }
    }
    return failures
}
