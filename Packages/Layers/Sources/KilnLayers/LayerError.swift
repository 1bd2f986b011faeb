/// A layer that cannot fit its input, or a model spec that cannot be built.
///
/// Prints as one line naming the layer (its position in the model when known) and the
/// shapes: `layer 3 maxpool(2): input 64x1x1 (CxHxW) is smaller than the 2x2 pool`.
public struct LayerError: Error, Sendable, CustomStringConvertible {
    /// The layer's position in its ``Sequential`` (nil when built on its own).
    public var index: Int?
    /// The layer's spec, e.g. `maxpool(2)`.
    public var layer: String
    /// What is wrong.
    public var message: String

    /// An error about the layer with spec `layer` at position `index` (nil: built on its own).
    public init(index: Int? = nil, layer: String, message: String) {
        self.index = index
        self.layer = layer
        self.message = message
    }

    public var description: String {
        if let index { return "layer \(index) \(layer): \(message)" }
        return "layer \(layer): \(message)"
    }
}
