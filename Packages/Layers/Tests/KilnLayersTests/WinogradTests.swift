@testable import KilnLayers
import KilnTensor
import Testing
import _KilnTestSupport

/// Winograd's F(2×2, 3×3) path against the definition (forward) and against the im2col
/// path (all three passes), on odd and even sizes (edge tiles that hang over the image),
/// one-pixel images, and batches that span several groups.
@Suite struct WinogradTests {
    /// Two identical 3×3 "same" convolutions, the second forced onto im2col.
    func pair(filters: Int, shape: [Int], bias: Bool = true) throws -> (winograd: Conv2D, im2col: Conv2D) {
        let spec = "conv(\(filters), kernel=3, padding=1, bias_init=normal\(bias ? "" : ", bias=false"))"
        let a = try model(spec, shape).layers[0] as! Conv2D
        let b = try model(spec, shape).layers[0] as! Conv2D
        #expect(a.winograd != nil)
        b.winograd = nil
        return (a, b)
    }

    @Test(arguments: [[4, 5, 7], [6, 8, 8], [4, 1, 1], [5, 2, 3], [8, 14, 14]])
    func forwardMatchesTheDefinition(shape: [Int]) throws {
        let (conv, _) = try pair(filters: 3, shape: shape)
        let x = randomTensor([3] + shape)
        let expected = naiveConv(x, conv.weight!.value, conv.bias!.value, stride: 1, padding: 1)
        expectCloseInNorm(conv.forward(x, training: true), expected, tolerance: 1e-5)
    }

    @Test(arguments: [(3, [4, 5, 7], 3), (5, [6, 8, 8], 2), (2, [4, 1, 1], 4), (16, [32, 14, 14], 40)])
    func everyPassMatchesIm2col(filters: Int, shape: [Int], batch: Int) throws {
        let (fast, slow) = try pair(filters: filters, shape: shape)
        if filters == 16 { #expect(fast.winograd!.groupSize(batch: batch) < batch) }   // several groups
        // Twice: the second forward pass reuses buffers the first backward pass wrote.
        for round in 0..<2 {
            let x = randomTensor([batch] + shape, seed: 7 + UInt64(round))
            expectCloseInNorm(fast.forward(x, training: true), slow.forward(x, training: true), tolerance: 1e-5)
            let g = randomTensor([batch, filters] + shape.dropFirst(), seed: 3 + UInt64(round))
            expectCloseInNorm(fast.backward(g), slow.backward(g), tolerance: 1e-5, "input gradient")
            expectCloseInNorm(fast.weight!.gradient, slow.weight!.gradient, tolerance: 1e-5, "weight gradient")
            expectCloseInNorm(fast.bias!.gradient, slow.bias!.gradient, tolerance: 1e-6, "bias gradient")
        }
    }

    /// A training forward pass keeps the transformed input for backward; an evaluation one
    /// does not, and backward transforms it again: the gradients are the same bits, with
    /// one group or several, and after a batch of another size.
    @Test(arguments: [(3, [4, 5, 7], 3), (16, [32, 14, 14], 40)])
    func keptTransformGivesTheSameGradients(filters: Int, shape: [Int], batch: Int) throws {
        let spec = "conv(\(filters), kernel=3, padding=1, bias_init=normal)"
        let kept = try model(spec, shape).layers[0] as! Conv2D, again = try model(spec, shape).layers[0] as! Conv2D
        #expect(kept.winograd != nil && again.winograd != nil)
        again.weight!.value = kept.weight!.value
        again.bias!.value = kept.bias!.value
        for n in [batch, batch - 1] {
            let x = randomTensor([n] + shape, seed: UInt64(n))
            #expect(kept.forward(x, training: true) == again.forward(x, training: false))
            let g = randomTensor([n, filters] + shape.dropFirst(), seed: 3)
            #expect(kept.backward(g) == again.backward(g), "input gradient, batch \(n)")
            #expect(kept.weight!.gradient == again.weight!.gradient, "weight gradient, batch \(n)")
        }
    }

    @Test func withoutBiasOrInputGradient() throws {
        let (fast, slow) = try pair(filters: 3, shape: [4, 6, 5], bias: false)
        fast.needsInputGradient = false
        slow.needsInputGradient = false
        let x = randomTensor([2, 4, 6, 5])
        expectCloseInNorm(fast.forward(x, training: true), slow.forward(x, training: true), tolerance: 1e-5)
        let g = randomTensor([2, 3, 6, 5], seed: 4)
        _ = fast.backward(g)
        _ = slow.backward(g)
        expectCloseInNorm(fast.weight!.gradient, slow.weight!.gradient, tolerance: 1e-5)
    }

    /// Which layers take the path: 3×3, stride 1, padding 1, at least the minimum channels.
    @Test func eligibility() throws {
        func path(_ spec: String, _ shape: [Int]) throws -> Bool { (try model(spec, shape).layers[0] as! Conv2D).winograd != nil }
        let few = Conv2D.winogradMinimumChannels - 1
        #expect(try path("conv(8, kernel=3, padding=1)", [Conv2D.winogradMinimumChannels, 6, 6]))
        #expect(try !path("conv(8, kernel=3, padding=1)", [few, 6, 6]))
        #expect(try !path("conv(8, kernel=3, stride=2, padding=1)", [8, 6, 6]))
        #expect(try !path("conv(8, kernel=3)", [8, 6, 6]))
        #expect(try !path("conv(8, kernel=5, padding=2)", [8, 6, 6]))
    }
}
