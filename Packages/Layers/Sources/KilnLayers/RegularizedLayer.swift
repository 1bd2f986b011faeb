/// A layer whose spec names its own regularizer, `dense(256, regularizer=l2(1e-4))`.
///
/// The layer only carries the regularizer's spec (KilnLayers does not depend on
/// KilnRegularizers); the trainer makes it through the `regularizers` registry and applies
/// it to this layer's regularized parameters (weights, not biases) instead of the model-wide
/// one. The spec is part of the layer's description, so model files and replicas keep it.
public protocol RegularizedLayer: Layer {
    /// The regularizer's spec, or nil for the trainer's default.
    var regularizerSpec: String? { get }
}
