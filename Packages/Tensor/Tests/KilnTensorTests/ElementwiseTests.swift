import Testing
import KilnTensor
import _KilnTestSupport

/// A slow reference for broadcasting: maps each output index back to both operands.
private func referenceBroadcast(_ a: Tensor, _ b: Tensor, _ op: (Float, Float) -> Float) -> Tensor {
    let shape = Tensor.broadcastShape(a.shape, b.shape)!
    var out = Tensor.zeros(shape)
    func offset(_ index: [Int], _ s: [Int]) -> Int {
        var flat = 0
        let pad = index.count - s.count
        for d in 0..<s.count { flat = flat * s[d] + (s[d] == 1 ? 0 : index[d + pad]) }
        return flat
    }
    for flat in 0..<out.count {
        var index = [Int](repeating: 0, count: shape.count)
        var rest = flat
        for d in stride(from: shape.count - 1, through: 0, by: -1) { index[d] = rest % shape[d]; rest /= shape[d] }
        out[flat: flat] = op(a[flat: offset(index, a.shape)], b[flat: offset(index, b.shape)])
    }
    return out
}

@Suite struct BroadcastingTests {
    @Test(arguments: [
        ([2, 3], [3], [2, 3]), ([2, 1], [1, 3], [2, 3]), ([4, 1, 3], [2, 1], [4, 2, 3]),
        ([], [5], [5]), ([1], [0], [0]), ([3, 0], [1], [3, 0]), ([2, 3], [2, 3], [2, 3]),
    ] as [([Int], [Int], [Int])])
    func shapes(a: [Int], b: [Int], expected: [Int]) {
        #expect(Tensor.broadcastShape(a, b) == expected)
        #expect(Tensor.broadcastShape(b, a) == expected)
    }

    @Test func incompatibleShapes() {
        #expect(Tensor.broadcastShape([2, 3], [2]) == nil)
        #expect(Tensor.broadcastShape([3, 2], [2, 3]) == nil)
    }

    @Test(arguments: [
        ([2, 3], [3]), ([2, 1], [1, 3]), ([4, 1, 3], [2, 1]), ([3], [2, 1, 1]), ([], [2, 2]), ([2, 3, 4], [3, 1]),
        ([5, 1, 4, 1], [1, 3, 1, 2]),
    ] as [([Int], [Int])])
    func operatorsMatchReference(aShape: [Int], bShape: [Int]) {
        var rng = RandomGenerator(seed: 7)
        let a = Tensor.uniform(aShape, low: -2, high: 2, using: &rng)
        let b = Tensor.uniform(bShape, low: 0.5, high: 2, using: &rng)
        #expect(a + b == referenceBroadcast(a, b, +))
        #expect(a - b == referenceBroadcast(a, b, -))
        #expect(a * b == referenceBroadcast(a, b, *))
        #expect(a / b == referenceBroadcast(a, b, /))
        #expect(b - a == referenceBroadcast(b, a, -))
    }

    @Test func inPlaceBroadcastsRightHandSide() {
        var x = Tensor.arange(6).reshaped([2, 3])
        x += Tensor([10, 20, 30])
        #expect(x.scalars == [10, 21, 32, 13, 24, 35])
        x -= Tensor([[1], [2]].flatMap { $0 }).reshaped([2, 1])
        #expect(x.scalars == [9, 20, 31, 11, 22, 33])
        x *= Tensor(2)
        x /= Tensor([1, 2, 1])
        #expect(x.scalars == [18, 20, 62, 22, 22, 66])
    }

    @Test func scalarForms() {
        let x = Tensor([1, 2, 4])
        #expect((x + 1).scalars == [2, 3, 5])
        #expect((1 - x).scalars == [0, -1, -3])
        #expect((x * 0.5).scalars == [0.5, 1, 2])
        #expect((4 / x).scalars == [4, 2, 1])
        #expect((-x).scalars == [-1, -2, -4])
        var y = x
        y *= 3
        y -= 1
        #expect(y.scalars == [2, 5, 11])
    }
}

@Suite struct ElementwiseEdgeValueTests {
    static let edges: [Float] = [0, -0.0, 1, -1, .infinity, -.infinity, .nan, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 100, -100]

    /// Every unary op agrees with the scalar formula on the edge values (bitwise for
    /// the exact ones, NaN where the formula gives NaN).
    @Test func unaryOps() {
        let x = Tensor(Self.edges)
        func check(_ result: Tensor, _ name: String, _ f: (Float) -> Float) {
            for (i, v) in Self.edges.enumerated() {
                let expected = f(v)
                let got = result[flat: i]
                #expect(isClose(got, expected), "\(name)(\(v)) = \(got), expected \(expected)")
                if expected == 0 && !expected.isNaN { #expect(got.sign == expected.sign || name == "sigmoid", "\(name)(\(v)) sign") }
            }
        }
        check(x.exp(), "exp") { Float(Foundation_exp(Double($0))) }
        check(x.abs(), "abs") { abs($0) }
        check(x.square(), "square") { $0 * $0 }
        check(x.sqrt(), "sqrt") { $0.squareRoot() }
        check(x.sign(), "sign") { $0.isNaN ? .nan : ($0 > 0 ? 1 : ($0 < 0 ? -1 : 0)) }
        check(x.relu(), "relu") { $0.isNaN ? .nan : ($0 > 0 ? $0 : 0) }
        check(x.clamped(min: -1, max: 1), "clamp") { $0.isNaN ? .nan : min(max($0, -1), 1) }
        check(x.sigmoid(), "sigmoid") { v in
            if v.isNaN { return .nan }
            return Float(1 / (1 + Foundation_exp(-Double(v))))
        }
        check(x.tanh(), "tanh") { v in v.isNaN ? .nan : Float(Foundation_tanh(Double(v))) }
        check(x.log(), "log") { v in Float(Foundation_log(Double(v))) }
        check(x.pow(3), "pow3") { v in Float(Foundation_pow(Double(v), 3)) }
    }

    @Test func sigmoidIsStableAtExtremes() {
        let s = Tensor([-1000, -88, 0, 88, 1000]).sigmoid()
        #expect(s.isFinite)
        #expect(s[flat: 0] == 0 && s[flat: 4] == 1 && s[flat: 2] == 0.5)
        #expect(s[flat: 1] > 0)
    }

    @Test func binaryOpsWithEdgeValues() {
        let a = Tensor([0, -0.0, .infinity, .nan, 1, 1])
        let b = Tensor([0, 0, .infinity, 1, 0, -0.0])
        let q = a / b
        #expect(q[flat: 0].isNaN && q[flat: 1].isNaN && q[flat: 2].isNaN && q[flat: 3].isNaN)
        #expect(q[flat: 4] == .infinity && q[flat: 5] == -.infinity)
        let d = a - b
        #expect(d[flat: 2].isNaN)
        #expect((a + b)[flat: 1].sign == .minus || (a + b)[flat: 1] == 0)
        let m = Tensor.maximum(Tensor([1, .nan, -1]), Tensor([2, 0, -0.5]))
        #expect(m[flat: 0] == 2 && m[flat: 1].isNaN && m[flat: 2] == -0.5)
        #expect(Tensor.minimum(Tensor([1, 3]), Tensor([2, 0])).scalars == [1, 0])
    }

    @Test func inPlaceFormsMatch() {
        var rng = RandomGenerator(seed: 3)
        let x = Tensor.uniform([50], low: 0.1, high: 3, using: &rng)
        var y = x; y.formExp(); #expect(y == x.exp())
        y = x; y.formLog(); #expect(y == x.log())
        y = x; y.formSqrt(); #expect(y == x.sqrt())
        y = x; y.formSigmoid(); #expect(y == x.sigmoid())
        y = x; y.formTanh(); #expect(y == x.tanh())
        y = x - 1; y.formReLU(); #expect(y == (x - 1).relu())
        y = x - 1; y.formAbs(); #expect(y == (x - 1).abs())
        y = x; y.formSquare(); #expect(y == x * x)
    }
}
