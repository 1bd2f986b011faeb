@testable import KilnLayers
import KilnTensor
import Testing
import _KilnTestSupport

/// The direct 3×3 path for inputs of few channels against the definition (forward) and
/// against the im2col path (all three passes): rows of 8 and wider (with and without an
/// overlapping last vector), rows narrower than 8 (the scalar loop), one-pixel images,
/// grey and RGB inputs.
@Suite struct DirectConvTests {
    /// Two identical 3×3 "same" convolutions, the second forced onto im2col.
    func pair(filters: Int, shape: [Int], bias: Bool = true) throws -> (direct: Conv2D, im2col: Conv2D) {
        let spec = "conv(\(filters), kernel=3, padding=1, bias_init=normal\(bias ? "" : ", bias=false"))"
        let a = try model(spec, shape).layers[0] as! Conv2D
        let b = try model(spec, shape).layers[0] as! Conv2D
        #expect(a.direct != nil && a.winograd == nil)
        b.direct = nil
        return (a, b)
    }

    @Test(arguments: [[1, 28, 28], [3, 9, 13], [1, 5, 7], [2, 8, 8], [3, 1, 1]])
    func forwardMatchesTheDefinition(shape: [Int]) throws {
        let (conv, _) = try pair(filters: 5, shape: shape)
        let x = randomTensor([3] + shape)
        let expected = naiveConv(x, conv.weight!.value, conv.bias!.value, stride: 1, padding: 1)
        expectCloseInNorm(conv.forward(x, training: true), expected, tolerance: 1e-5)
    }

    @Test(arguments: [(4, [1, 28, 28], 3), (3, [3, 9, 13], 2), (2, [1, 5, 7], 4), (6, [2, 8, 8], 2), (2, [3, 1, 1], 3)])
    func everyPassMatchesIm2col(filters: Int, shape: [Int], batch: Int) throws {
        let (fast, slow) = try pair(filters: filters, shape: shape)
        // Twice: the second pass reuses the buffers the first one wrote.
        for round in 0..<2 {
            let x = randomTensor([batch] + shape, seed: 7 + UInt64(round))
            expectCloseInNorm(fast.forward(x, training: true), slow.forward(x, training: true), tolerance: 1e-5)
            let g = randomTensor([batch, filters] + shape.dropFirst(), seed: 3 + UInt64(round))
            expectCloseInNorm(fast.backward(g), slow.backward(g), tolerance: 1e-5, "input gradient")
            expectCloseInNorm(fast.weight!.gradient, slow.weight!.gradient, tolerance: 1e-5, "weight gradient")
            expectCloseInNorm(fast.bias!.gradient, slow.bias!.gradient, tolerance: 1e-6, "bias gradient")
        }
    }

    /// A first layer (no input gradient, no bias) gives the same weight gradient, and the
    /// same bits whatever else the batch holds before it: the sums run example by example.
    @Test func withoutBiasOrInputGradient() throws {
        let (fast, slow) = try pair(filters: 3, shape: [1, 10, 12], bias: false)
        fast.needsInputGradient = false
        slow.needsInputGradient = false
        let x = randomTensor([2, 1, 10, 12])
        expectCloseInNorm(fast.forward(x, training: true), slow.forward(x, training: true), tolerance: 1e-5)
        let g = randomTensor([2, 3, 10, 12], seed: 4)
        #expect(fast.backward(g).count == 0)
        _ = slow.backward(g)
        expectCloseInNorm(fast.weight!.gradient, slow.weight!.gradient, tolerance: 1e-5)
        let first = fast.weight!.gradient
        _ = fast.forward(x, training: true)
        _ = fast.backward(g)
        #expect(fast.weight!.gradient == first)
    }

    /// Which layers take the path: 3×3, stride 1, padding 1, fewer than Winograd's channels.
    @Test func eligibility() throws {
        func path(_ spec: String, _ shape: [Int]) throws -> Bool { (try model(spec, shape).layers[0] as! Conv2D).direct != nil }
        #expect(try path("conv(8, kernel=3, padding=1)", [1, 6, 6]))
        #expect(try path("conv(8, kernel=3, padding=1)", [Conv2D.winogradMinimumChannels - 1, 6, 6]))
        #expect(try !path("conv(8, kernel=3, padding=1)", [Conv2D.winogradMinimumChannels, 6, 6]))
        #expect(try !path("conv(8, kernel=3, stride=2, padding=1)", [1, 6, 6]))
        #expect(try !path("conv(8, kernel=3)", [1, 6, 6]))
        #expect(try !path("conv(8, kernel=5, padding=2)", [1, 6, 6]))
    }
}
