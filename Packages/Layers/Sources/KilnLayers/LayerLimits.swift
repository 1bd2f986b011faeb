/// Size limits that turn an absurd spec (`dense(100000000000)`, `conv(8, kernel=3,
/// padding=60000)`) into a ``LayerError`` at build time, before any memory is asked for,
/// instead of an allocation failure or an integer overflow.
///
/// - A parameter tensor, and one example's activations at any layer, hold at most
///   ``maximumElements`` scalars: 2^28, i.e. 1 GiB of Float32 (a 784x256 dense weight is
///   200,704; the largest layer of the classic CNNs is a few million).
/// - Kernel, stride, padding and pool sizes are at most ``maximumExtent`` (65,536).
public enum LayerLimits {
    /// The most scalars in one parameter or one example's activations: 2^28 (1 GiB of Float32).
    public static let maximumElements = 1 << 28
    /// The largest kernel, stride, padding or pool size: 65,536.
    public static let maximumExtent = 1 << 16

    /// The number of scalars in a tensor of shape `dimensions`, or a ``LayerError``
    /// naming `what` when it overflows or is over ``maximumElements``.
    public static func elementCount(_ dimensions: [Int], of what: String, layer: String) throws -> Int {
        var count = 1
        for d in dimensions {
            let (product, overflow) = count.multipliedReportingOverflow(by: max(d, 0))
            guard !overflow, product <= maximumElements else {
                throw LayerError(layer: layer, message: "\(what) of shape \(dimensions.map(String.init).joined(separator: "x")) is over the limit of \(maximumElements) values (1 GiB); use a smaller layer")
            }
            count = product
        }
        return count
    }
}
