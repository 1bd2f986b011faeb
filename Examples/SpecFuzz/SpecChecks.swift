import KilnAugmentation
import KilnInit
import KilnLayers
import KilnOptimizers
import KilnRegistry
import KilnRegularizers
import KilnTensor

/// The invariants a spec string must keep (a violation stops the fuzzer: a finding).
func checkSpecText(_ text: String) {
    guard let stages = try? Spec.parsePipeline(text) else { return }
    let printed = Spec.describePipeline(stages)
    guard let again = try? Spec.parsePipeline(printed) else {
        preconditionFailure("the printed pipeline does not parse: \(printed)")
    }
    precondition(again == stages, "the printed pipeline parses to something else: \(printed)")

    for stage in stages {
        checkRoundTrip(stage, in: optimizers)
        checkRoundTrip(stage, in: schedules)
        checkRoundTrip(stage, in: regularizers)
        checkRoundTrip(stage, in: initializers)
        checkRoundTrip(stage, in: transforms)
        checkRoundTrip(stage, in: layers)
    }
    // Building allocates the weights: absurd sizes must be refused with an error, not
    // attempted. A gray 8x8 image fits conv/pool layers and flat specs alike.
    var rng = RandomGenerator(seed: 1)
    _ = try? Sequential.build(spec: text, inputShape: [1, 8, 8], rng: &rng)
    _ = try? Sequential.build(spec: text, inputShape: [16], rng: &rng)
    if let pipeline = try? TransformPipeline(text), let image = try? FloatImage(width: 6, height: 5, channels: 1, repeating: 0.5),
       (try? pipeline.checkedOutputSize(width: image.width, height: image.height)) != nil {
        var generator = RandomGenerator(seed: 2)
        _ = pipeline.apply(image, rng: &generator)
    }
}

/// A component that a registry makes from `spec` prints a spec that makes it again and
/// prints the same text.
func checkRoundTrip<Component>(_ spec: Spec, in registry: Registry<Component>) {
    guard let component = try? registry.make(spec) else { return }
    let printed = String(describing: component)
    guard let again = try? registry.make(printed) else {
        preconditionFailure("\(registry.kind) '\(spec)' prints '\(printed)', which does not make a \(registry.kind)")
    }
    precondition(String(describing: again) == printed,
                 "\(registry.kind) '\(spec)' prints '\(printed)', which makes '\(again)'")
}
