import KilnLayers
import KilnTensor
import Testing
import _KilnTestSupport

/// Direct convolution, straight from the definition.
func naiveConv(_ x: Tensor, _ w: Tensor, _ b: Tensor, stride s: Int, padding p: Int) -> Tensor {
    let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (f, k) = (w.shape[0], w.shape[2])
    let oh = (h + 2 * p - k) / s + 1, ow = (wd + 2 * p - k) / s + 1
    var y = Tensor.zeros([n, f, oh, ow])
    for i in 0..<n { for o in 0..<f { for r in 0..<oh { for q in 0..<ow {
        var sum = b[o]
        for ci in 0..<c { for kh in 0..<k { for kw in 0..<k {
            let ih = r * s - p + kh, iw = q * s - p + kw
            if ih >= 0 && ih < h && iw >= 0 && iw < wd { sum += w[o, ci, kh, kw] * x[i, ci, ih, iw] }
        } } }
        y[i, o, r, q] = sum
    } } } }
    return y
}

@Test(arguments: [
    (3, 1, 0, [2, 5, 5]), (3, 1, 1, [3, 6, 7]), (3, 1, 1, [1, 1, 4]), (5, 1, 2, [2, 3, 6]), (3, 2, 1, [1, 7, 7]), (2, 3, 0, [2, 8, 5]), (5, 1, 2, [1, 4, 4]), (1, 1, 0, [4, 3, 3]),
    (3, 2, 1, [2, 28, 28]), (1, 2, 0, [3, 28, 21]), (3, 2, 1, [2, 33, 40]), (3, 2, 1, [2, 14, 14]),   // stride 2, 8 or 4 at a time
])
func convForwardMatchesTheDefinition(kernel: Int, stride: Int, padding: Int, shape: [Int]) throws {
    let m = try model("conv(3, kernel=\(kernel), stride=\(stride), padding=\(padding), bias_init=normal)", shape)
    let x = randomTensor([2] + shape)
    let (w, b) = (m.parameters[0].value, m.parameters[1].value)
    expectCloseInNorm(m.forward(x, training: true), naiveConv(x, w, b, stride: stride, padding: padding), tolerance: 1e-5)
}

/// A convolution without bias is linear, so its input gradient is the adjoint:
/// ⟨conv(x), g⟩ = ⟨x, convᵀ(g)⟩ for any x and g. Strides 2 (the vector gather and scatter) and 3,
/// rows wide enough for several vectors.
@Test(arguments: [(3, 2, 1, [2, 28, 28]), (1, 2, 0, [3, 28, 21]), (3, 2, 1, [2, 33, 40]), (3, 2, 1, [2, 14, 14]), (3, 3, 1, [2, 20, 17])])
func convInputGradientIsTheAdjoint(kernel: Int, stride: Int, padding: Int, shape: [Int]) throws {
    let m = try model("conv(4, kernel=\(kernel), stride=\(stride), padding=\(padding), bias=false)", shape)
    let x = randomTensor([2] + shape, seed: 11)
    let y = m.forward(x, training: true)
    let g = randomTensor(y.shape, seed: 12)
    let dx = m.layers[0].backward(g)
    let left = zip(y.scalars, g.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    let right = zip(x.scalars, dx.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    #expect(abs(left - right) <= 1e-4 * max(1, abs(left)), "\(left) vs \(right)")
}

/// Max pooling from the definition (NaN wins).
func naiveMaxPool(_ x: Tensor, size k: Int, stride s: Int) -> Tensor {
    let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let oh = (h - k) / s + 1, ow = (w - k) / s + 1
    var y = Tensor.zeros([n, c, oh, ow])
    for i in 0..<n { for ci in 0..<c { for r in 0..<oh { for q in 0..<ow {
        var best = -Float.infinity
        for a in 0..<k { for b in 0..<k {
            let v = x[i, ci, r * s + a, q * s + b]
            if v > best || v.isNaN { best = v }
            if best.isNaN { break }
        } }
        y[i, ci, r, q] = best
    } } } }
    return y
}

// Widths covering the 8-wide SIMD path (with an overlapping last chunk), the 4-wide one
// and the scalar one, plus a general (3, stride 2) pool.
@Test(arguments: [([2, 6, 20], 2, 2), ([1, 4, 28], 2, 2), ([1, 10, 10], 2, 2), ([2, 4, 6], 2, 2), ([1, 5, 7], 2, 2), ([2, 7, 9], 3, 2), ([1, 4, 4], 2, 1)])
func maxPoolMatchesTheDefinition(shape: [Int], size: Int, stride: Int) throws {
    let m = try model("maxpool(\(size), stride=\(stride))", shape)
    var x = randomTensor([3] + shape)
    x[flat: 5] = .nan
    let y = m.forward(x, training: true)
    let expected = naiveMaxPool(x, size: size, stride: stride)
    #expect(y.shape == expected.shape)
    for i in 0..<y.count {
        #expect(y[flat: i] == expected[flat: i] || (y[flat: i].isNaN && expected[flat: i].isNaN), "element \(i)")
    }
    // Each output gradient lands on its window's maximum.
    let g = m.layers[0].backward(Tensor.ones(y.shape))
    expectClose(g.sum(), Float(y.count))
}

/// The input gradient from the definition: each output gradient added at its window's
/// maximum, the first in row-major order on ties, the last NaN when there are NaNs.
func naiveMaxPoolGradient(_ x: Tensor, _ g: Tensor, size k: Int, stride s: Int) -> Tensor {
    let (n, c, oh, ow) = (g.shape[0], g.shape[1], g.shape[2], g.shape[3])
    var dx = Tensor.zeros(x.shape)
    for i in 0..<n { for ci in 0..<c { for r in 0..<oh { for q in 0..<ow {
        var best = (r * s, q * s)
        for a in 0..<k { for b in 0..<k {
            let v = x[i, ci, r * s + a, q * s + b], top = x[i, ci, best.0, best.1]
            if v > top || v.isNaN { best = (r * s + a, q * s + b) }
        } }
        dx[i, ci, best.0, best.1] += g[i, ci, r, q]
    } } } }
    return dx
}

// The 2x2/2 pool's own kernels (8 and 4 windows at a time, overlapping last chunks, the
// scalar rest, odd sides) route gradients as the definition does, ties and NaNs included:
// values drawn from {-1, 0, 1, NaN} make every kind of tie.
@Test(arguments: [[2, 6, 20], [1, 4, 28], [2, 7, 9], [1, 10, 10], [3, 5, 7], [1, 4, 4], [2, 9, 33]])
func maxPoolGradientMatchesTheDefinition(shape: [Int]) throws {
    for (size, stride) in [(2, 2), (3, 2), (2, 1)] where shape[1] >= size && shape[2] >= size {
        let m = try model("maxpool(\(size), stride=\(stride))", shape)
        var rng = RandomGenerator(seed: 7)
        var x = Tensor.zeros([2] + shape)
        for i in 0..<x.count { x[flat: i] = [-1, 0, 1, .nan][Int(rng.next() % 4)] }
        let y = m.forward(x, training: true)
        let g = randomTensor(y.shape)
        let dx = m.layers[0].backward(g)
        let expected = naiveMaxPoolGradient(x, g, size: size, stride: stride)
        #expect(dx.shape == expected.shape)
        for i in 0..<dx.count {
            #expect(dx[flat: i] == expected[flat: i], "maxpool(\(size), stride=\(stride)) \(shape): element \(i)")
        }
    }
}

@Test func avgPoolAveragesWindows() throws {
    let m = try model("avgpool(2)", [1, 2, 4])
    let x = Tensor(shape: [1, 1, 2, 4], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
    #expect(m.forward(x, training: true) == Tensor(shape: [1, 1, 1, 2], scalars: [3.5, 5.5]))
}

/// A batch larger than one im2col group (about 2^18 column floats) must give the same
/// forward values, input gradients and summed kernel gradients as its halves on their own
/// (each half fits one group, whose forward is checked against the definition above).
@Test func convGroupsOfABigBatchMatchSmallBatches() throws {
    let shape = [4, 12, 12]   // 36 x 100 column floats per example: 72 examples per group
    let m = try model("conv(3, kernel=3, padding=1, bias_init=normal)", shape)
    let x = randomTensor([80] + shape)
    let g = randomTensor([80, 3, 12, 12], seed: 21)
    let y = m.forward(x, training: true)
    let dx = m.backward(g)
    let dw = m.parameters[0].gradient, db = m.parameters[1].gradient
    var sumW = Tensor.zeros(dw.shape), sumB = Tensor.zeros(db.shape)
    for range in [0..<40, 40..<80] {
        let part = m.forward(x.rows(range), training: true)
        expectClose(part, y.rows(range), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        expectClose(m.backward(g.rows(range)), dx.rows(range), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        sumW += m.parameters[0].gradient
        sumB += m.parameters[1].gradient
    }
    expectCloseInNorm(dw, sumW, tolerance: 1e-5)
    expectCloseInNorm(db, sumB, tolerance: 1e-5)
}
