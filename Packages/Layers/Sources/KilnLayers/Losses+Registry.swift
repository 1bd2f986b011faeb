import KilnRegistry

/// Every built-in loss by spec name: `try losses.make("softmax-ce(label_smoothing=0.1)")`.
///
/// | spec (aliases) | loss |
/// | --- | --- |
/// | `softmax-ce(label_smoothing=0)` (`cross-entropy`, `ce`) | ``SoftmaxCrossEntropy`` |
/// | `mse` | ``MeanSquaredError`` on one-hot targets |
/// | `bce` | ``BinaryCrossEntropyWithLogits`` on one-hot targets |
///
/// Register a loss of your own here to train with it by name (`--loss`).
public let losses: Registry<any Loss> = {
    let registry = Registry<any Loss>(kind: "loss")
    registerBuiltInLosses(in: registry)
    return registry
}()

/// Registers the built-in losses in `registry` (``losses`` is made this way).
public func registerBuiltInLosses(in registry: Registry<any Loss>) {
    registry.register("softmax-ce", aliases: ["cross-entropy", "ce"]) { spec in
        SoftmaxCrossEntropy(labelSmoothing: try spec.float("label_smoothing", at: 0, default: 0, in: Float(0)..<1))
    }
    registry.register("mse") { _ in MeanSquaredError() }
    registry.register("bce") { _ in BinaryCrossEntropyWithLogits() }
}
