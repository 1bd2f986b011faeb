#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Scalar functions for the layers' loops (C's float functions, inlined call sites).

/// The logistic function without overflow: 1/(1+e^(−x)) for x >= 0, e^x/(1+e^x) below.
@inline(__always)
func logistic(_ x: Float) -> Float {
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
