import Foundation
import KilnAugmentation
import KilnData
import KilnLayers
import KilnOptimizers
import KilnRegistry
import KilnTensor
import KilnTraining

/// What a new user does with Kiln from their own package; each step prints one line and
/// any failure ends the program with status 1.
func check(_ ok: Bool, _ what: String) {
    print((ok ? "ok   " : "FAIL ") + what)
    if !ok { exit(1) }
}

do {
    // 1. Register the layer and the transform by name.
    layers.register("swish") { _ in Swish() }
    transforms.register("random-translate") { spec in
        RandomTranslate(pixels: try spec.double("pixels", at: 0, default: 2))
    }

    // 2. Check them as Kiln checks its own.
    let layerFailures = checkLayerConformance({ Swish() }, inputShape: [6], registry: layers)
    check(layerFailures.isEmpty, "Swish conforms to Layer " + layerFailures.joined(separator: "; "))
    do {
        try TransformConformance.check(RandomTranslate(pixels: 1.5))
        check(true, "random-translate conforms to Transform")
    } catch {
        check(false, "random-translate conforms to Transform: \(error)")
    }
    var rng = RandomGenerator(seed: 1)
    let probe = try Sequential.build(spec: "dense(8)|swish|dense(3)", inputShape: [5], rng: &rng)
    let rows = GradientCheck().run(probe, input: Tensor.normal([4, 5], using: &rng), labels: [0, 1, 2, 1])
    check(rows.allSatisfy(\.passed), "gradient check of dense|swish|dense: largest delta \(rows.map(\.delta).max() ?? 0)")

    // 3. Train one epoch on real data with both, augmentation advancing by itself.
    let data = try MNISTDirectory.fashionMNIST.loadTrainAndTest(layout: .image)
    let train = data.train.subset(Array(0..<3000))
    let augmented = try AugmentedDataset(base: train, pipeline: TransformPipeline("random-translate(pixels=1.5)"), seed: 7)
    let model = try Sequential.build(spec: "conv(8, kernel=3, padding=1)|swish|maxpool(2)|flatten|dense(10)",
                                     inputShape: train.inputShape, rng: &rng)
    let trainer = Trainer(model: model, optimizer: try optimizers.make("adam(lr=0.003)"), batchSize: 64, seed: 3)
    try trainer.fit(train: augmented, epochs: 1)
    let test = data.test.subset(Array(0..<1000))
    let accuracy = trainer.evaluate(test).accuracy
    check(accuracy > 0.5, "one epoch on 3,000 Fashion-MNIST images: test accuracy \(accuracy) (> 0.5)")

    // 4. Save, load through the registry, same predictions.
    let path = NSTemporaryDirectory() + "extending-kiln-\(getpid()).safetensors"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try model.save(to: path, classNames: train.classNames)
    let loaded = try Sequential.load(contentsOf: path)
    let before = Trainer.predictProbabilities(model: model, inputs: test.inputs)
    let after = Trainer.predictProbabilities(model: loaded.model, inputs: test.inputs)
    check(before == after && loaded.classNames == train.classNames, "saved and loaded: the same probabilities on 1,000 test images")
    print("extending-kiln: all steps passed")
} catch {
    print("FAIL \(error)")
    exit(1)
}
