#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Scalar functions for the layers' loops (C's float functions, inlined call sites).

/// The logistic function without overflow: 1/(1+e^(−x)) for x >= 0, e^x/(1+e^x) below.
/// Public for layers of your own (Swish, gates) that need the same stable form.
@inline(__always)
public func logistic(_ x: Float) -> Float {
    if x >= 0 { return 1 / (1 + expf(-x)) }
    let e = expf(x)
    return e / (1 + e)
}

@inline(__always) func exponential(_ x: Float) -> Float { expf(x) }
@inline(__always) func exponentialMinusOne(_ x: Float) -> Float { expm1f(x) }
@inline(__always) func hyperbolicTangent(_ x: Float) -> Float { tanhf(x) }
@inline(__always) func logarithm(_ x: Double) -> Double { log(x) }
@inline(__always) func logOnePlus(_ x: Double) -> Double { log1p(x) }
@inline(__always) func exponential(_ x: Double) -> Double { exp(x) }

// Reductions with SIMD accumulators: a plain `for` loop summing into one Float cannot be
// vectorized (IEEE addition is not associative), and then runs at one add per 3–4 cycles.

/// Σ p[0..<n].
@inline(__always)
func vectorSum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var a = SIMD8<Float>(repeating: 0), b = SIMD8<Float>(repeating: 0)
    let raw = UnsafeRawPointer(p)
    var i = 0
    while i + 16 <= n {
        a += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
        b += raw.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self)
        i += 16
    }
    var s = (a + b).sum()
    while i < n { s += p[i]; i += 1 }
    return s
}

/// Σ (p[i] − mean)².
@inline(__always)
func vectorSumOfSquaredDeviations(_ p: UnsafePointer<Float>, _ n: Int, mean: Float) -> Float {
    var a = SIMD8<Float>(repeating: 0), b = SIMD8<Float>(repeating: 0)
    let m = SIMD8<Float>(repeating: mean)
    let raw = UnsafeRawPointer(p)
    var i = 0
    while i + 16 <= n {
        let x = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - m
        let y = raw.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self) - m
        a += x * x
        b += y * y
        i += 16
    }
    var s = (a + b).sum()
    while i < n { let d = p[i] - mean; s += d * d; i += 1 }
    return s
}

/// Σ p[i]·(q[i] − mean).
@inline(__always)
func vectorDotOfDeviations(_ p: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ n: Int, mean: Float) -> Float {
    var a = SIMD8<Float>(repeating: 0), b = SIMD8<Float>(repeating: 0)
    let m = SIMD8<Float>(repeating: mean)
    let rp = UnsafeRawPointer(p), rq = UnsafeRawPointer(q)
    var i = 0
    while i + 16 <= n {
        a += rp.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * (rq.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) - m)
        b += rp.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self) * (rq.loadUnaligned(fromByteOffset: (i + 8) * 4, as: SIMD8<Float>.self) - m)
        i += 16
    }
    var s = (a + b).sum()
    while i < n { s += p[i] * (q[i] - mean); i += 1 }
    return s
}
