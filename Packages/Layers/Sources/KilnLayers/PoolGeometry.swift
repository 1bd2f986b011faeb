/// The window geometry shared by ``MaxPool2D`` and ``AvgPool2D``: square windows of
/// `size` moved by `stride` over each channel of a CHW input, without padding; the output
/// size per axis is ⌊(in − size) / stride⌋ + 1 (PyTorch's default, `ceil_mode=False`).
struct PoolGeometry {
    var size: Int
    var stride: Int
    var channels = 0, height = 0, width = 0
    var outHeight = 0, outWidth = 0

    /// Fixes the input shape; throws naming the layer when it cannot hold one window.
    mutating func build(inputShape: [Int], layer: String) throws -> [Int] {
        guard inputShape.count == 3, inputShape.allSatisfy({ $0 > 0 }) else {
            throw LayerError(layer: layer, message: "expects a CxHxW input, got \(describeShape(inputShape))")
        }
        guard inputShape[1] >= size, inputShape[2] >= size else {
            throw LayerError(layer: layer, message: "input \(describeShape(inputShape)) (CxHxW) is smaller than the \(size)x\(size) pool")
        }
        (channels, height, width) = (inputShape[0], inputShape[1], inputShape[2])
        outHeight = (height - size) / stride + 1
        outWidth = (width - size) / stride + 1
        return [channels, outHeight, outWidth]
    }
}
