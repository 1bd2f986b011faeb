#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// "Nice" axis ticks: round numbers a reader can interpolate between.
///
/// Linear ticks are the multiples of a step 1, 2 or 5 × 10ᵏ chosen so that about `count`
/// ticks cover the range (the step is the first of 1, 2, 5, 10 × 10ᵏ not below
/// range/count, after rounding the ratio: < 1.5 → 1, < 3 → 2, < 7 → 5, else 10).
/// Logarithmic ticks are the powers of ten in the range, plus 2 and 5 × 10ᵏ when the range
/// spans fewer than three decades.
public enum Ticks {
    /// The step of about `count` linear ticks over `lower...upper`.
    public static func step(lower: Double, upper: Double, count: Int = 6) -> Double {
        let span = upper - lower
        guard span > 0, span.isFinite else { return 1 }
        let raw = span / Double(max(1, count))
        let magnitude = pow(10, floor(log10(raw)))
        let f = raw / magnitude
        let nice: Double = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10
        return nice * magnitude
    }

    /// The multiples of ``step(lower:upper:count:)`` inside `lower...upper` (with a
    /// tolerance of 1e-9 steps, so the ends count when they are multiples).
    public static func linear(lower: Double, upper: Double, count: Int = 6) -> [Double] {
        guard lower.isFinite, upper.isFinite else { return [] }
        if upper <= lower { return [lower] }
        let s = step(lower: lower, upper: upper, count: count)
        let first = Int64(ceil(lower / s - 1e-9)), last = Int64(floor(upper / s + 1e-9))
        guard last >= first, last - first <= 1000 else { return [] }
        return (first...last).map { k in
            let v = Double(k) * s
            return abs(v) < s * 1e-9 ? 0 : v
        }
    }

    /// `lower...upper` widened outwards to multiples of the tick step (a chart's domain).
    public static func niceDomain(lower: Double, upper: Double, count: Int = 6) -> (lower: Double, upper: Double) {
        var lo = lower, hi = upper
        if !(hi > lo) {
            let pad = lo == 0 ? 1 : abs(lo) * 0.1
            lo -= pad; hi += pad
        }
        let s = step(lower: lo, upper: hi, count: count)
        return (floor(lo / s + 1e-9) * s, ceil(hi / s - 1e-9) * s)
    }

    /// Logarithmic ticks inside `lower...upper` (both > 0); `multiples` nil: [1, 2, 5]
    /// within each decade when the range spans fewer than three decades, else [1].
    public static func logarithmic(lower: Double, upper: Double, multiples: [Double]? = nil) -> [Double] {
        guard lower > 0, upper >= lower, lower.isFinite, upper.isFinite else { return [] }
        let a = Int(floor(log10(lower) + 1e-9)), b = Int(ceil(log10(upper) - 1e-9))
        let multiples: [Double] = multiples ?? (b - a < 3 ? [1, 2, 5] : [1])
        var ticks: [Double] = []
        for e in a...max(a, b) {
            for m in multiples {
                let v = m * pow(10, Double(e))
                if v >= lower * (1 - 1e-9) && v <= upper * (1 + 1e-9) { ticks.append(v) }
            }
        }
        return ticks
    }

    /// `lower...upper` widened to whole decades (a log axis's domain).
    public static func logDomain(lower: Double, upper: Double) -> (lower: Double, upper: Double) {
        let lo = lower > 0 ? lower : 1e-3, hi = max(upper, lo)
        let a = floor(log10(lo) + 1e-9), b = ceil(log10(hi) - 1e-9)
        return (pow(10, a), pow(10, b > a ? b : a + 1))
    }

    /// A tick label: fixed notation with as many decimals as the step needs
    /// (`0.25`, `-3`, `1500`; without a step, up to 6 significant digits), scientific (`1e-5`, `2.5e6`) when |value| ≥ 1e6 or < 1e-3.
    public static func label(_ value: Double, step: Double? = nil) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : value > 0 ? "inf" : "-inf" }
        if value == 0 { return "0" }
        let magnitude = abs(value)
        if magnitude >= 1e6 || magnitude < 1e-3 {
            var exponent = Int(floor(log10(magnitude)))
            var mantissa = value / pow(10, Double(exponent))
            mantissa = (mantissa * 100).rounded() / 100
            if abs(mantissa) >= 10 { mantissa /= 10; exponent += 1 }
            return fixed(mantissa, decimals: 2) + "e\(exponent)"
        }
        guard let step, step != 0 else {
            // No step: up to 6 significant digits.
            return fixed(value, decimals: max(0, min(9, 5 - Int(floor(log10(magnitude))))))
        }
        let decimals = max(0, min(6, Int(-floor(log10(abs(step)) + 1e-9))))
        return fixed(value, decimals: decimals)
    }

    /// `value` with at most `decimals` decimals, trailing zeros dropped.
    static func fixed(_ value: Double, decimals: Int) -> String {
        let scale = pow(10, Double(decimals))
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e15 else { return "\(value)" }
        let n = Int64(scaled), p = Int64(scale)
        let whole = n / p
        var frac = decimals > 0 ? String(n % p) : ""
        if decimals > 0 {
            frac = String(repeating: "0", count: decimals - frac.count) + frac
            while frac.hasSuffix("0") { frac.removeLast() }
        }
        let sign = value < 0 && n != 0 ? "-" : ""
        return sign + "\(whole)" + (frac.isEmpty ? "" : "." + frac)
    }
}
