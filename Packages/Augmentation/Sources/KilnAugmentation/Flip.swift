import KilnTensor

/// Which way a flip mirrors.
public enum FlipAxis: String, Sendable, CaseIterable {
    /// Left and right swap: output (x, y) reads input (W-1-x, y).
    case horizontal
    /// Top and bottom swap: output (x, y) reads input (x, H-1-y).
    case vertical

    func warp(width: Int, height: Int) -> Warp {
        switch self {
        case .horizontal:
            return Warp(outputWidth: width, outputHeight: height, a: -1, b: 0, c: Double(width - 1), d: 0, e: 1, f: 0,
                        interpolation: nil, border: .constant(0))
        case .vertical:
            return Warp(outputWidth: width, outputHeight: height, a: 1, b: 0, c: 0, d: 0, e: -1, f: Double(height - 1),
                        interpolation: nil, border: .constant(0))
        }
    }
}

/// `flip(axis=horizontal|vertical)`: a mirror image. Exact.
public struct Flip: Transform {
    /// Which way to mirror: horizontal swaps left and right, vertical top and bottom (default
    /// horizontal).
    public var axis: FlipAxis

    /// A flip about `axis`.
    public init(axis: FlipAxis = .horizontal) { self.axis = axis }

    public var isRandom: Bool { false }
    public func outputSize(width: Int, height: Int) -> (width: Int, height: Int) { (width, height) }
    public func warp(width: Int, height: Int, rng: inout RandomGenerator) -> Warp { axis.warp(width: width, height: height) }
    public var description: String { "flip(axis=\(axis.rawValue))" }
}
