#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Double-precision references for the elementwise tests.
func Foundation_exp(_ x: Double) -> Double { exp(x) }
func Foundation_log(_ x: Double) -> Double { log(x) }
func Foundation_tanh(_ x: Double) -> Double { tanh(x) }
func Foundation_pow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
