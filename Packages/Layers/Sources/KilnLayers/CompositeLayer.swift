/// A layer made of other layers (``Sequential``, ``Residual``): what code that walks a
/// model (the trainer adopting per-layer regularizers, exporters) looks inside.
public protocol CompositeLayer: Layer {
    /// The layers inside, in the order they run (a residual block: its body, then its
    /// shortcut).
    var sublayers: [any Layer] { get }
}

extension Layer {
    /// This layer and every layer nested inside it, depth first, outer layers first.
    public var allLayers: [any Layer] {
        guard let composite = self as? any CompositeLayer else { return [self] }
        return [self] + composite.sublayers.flatMap(\.allLayers)
    }
}
