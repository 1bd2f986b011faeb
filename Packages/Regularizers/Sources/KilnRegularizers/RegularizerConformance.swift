import KilnRegistry
import KilnTensor

/// Checks the implementation requirements of ``Regularizer`` on `regularizer` and returns
/// one line per failure (empty: it conforms). Runs in a few milliseconds; call it from
/// your own tests:
///
/// ```swift
/// #expect(checkRegularizerConformance(MyRegularizer(), registry: regularizers) == [])
/// ```
///
/// What it checks, on a few shapes and on weights drawn with `seed` (magnitudes in
/// [0.1, 1.1], away from 0 so kinks such as L1's do not disturb the differences):
/// 1. all-zero weights give a penalty of exactly 0 and a finite gradient of their shape;
/// 2. penalty and gradient are finite and the gradient has the weights' shape;
/// 3. the gradient matches two-sided finite differences of `penalty` (step 1e-2):
///    ‖g_numeric − g‖ / (‖g_numeric‖ + ‖g‖) < 1e-3;
/// 4. `addGradient(of:to:)` adds exactly `gradient(w)` to an existing nonzero gradient;
/// 5. calling twice gives bit-identical penalty and gradient (no hidden state);
/// 6. with `registry`: `registry.make(description)` succeeds and gives the same penalty
///    and gradient (the spec round trip).
public func checkRegularizerConformance(
    _ regularizer: any Regularizer, registry: Registry<any Regularizer>? = nil, seed: UInt64 = 1
) -> [String] {
    var failures: [String] = []
    let name = regularizer.description
    func fail(_ message: String) { failures.append("\(name): \(message)") }
    var rng = RandomGenerator(seed: seed)

    for shape in [[7], [3, 4], [2, 3, 2]] {
        // 1. Zero weights.
        let zeros = Tensor.zeros(shape)
        let p0 = regularizer.penalty(zeros)
        if p0 != 0 { fail("penalty of zero weights \(shape) is \(p0), expected 0") }
        let g0 = regularizer.gradient(zeros)
        if g0.shape != shape {
            fail("gradient of zero weights has shape \(g0.shape), expected \(shape)")
            continue
        }
        if !g0.isFinite { fail("gradient of zero weights \(shape) is not finite") }

        // 2. Random weights away from 0.
        let magnitude = Tensor.uniform(shape, low: 0.1, high: 1.1, using: &rng)
        let signs = Tensor.bernoulli(shape, p: 0.5, using: &rng) * 2 - 1
        let w = magnitude * signs
        let p = regularizer.penalty(w)
        if !p.isFinite { fail("penalty of finite weights \(shape) is \(p)") }
        let g = regularizer.gradient(w)
        guard g.shape == shape else {
            fail("gradient has shape \(g.shape), expected \(shape)")
            continue
        }
        if !g.isFinite { fail("gradient of finite weights \(shape) is not finite") }

        // 3. Finite differences.
        let h: Float = 1e-2
        var numeric = Tensor.zeros(shape)
        var probe = w
        for i in 0..<w.count {
            let x = w[flat: i]
            probe[flat: i] = x + h
            let up = regularizer.penalty(probe)
            probe[flat: i] = x - h
            let down = regularizer.penalty(probe)
            probe[flat: i] = x
            numeric[flat: i] = (up - down) / (2 * h)
        }
        let norms = numeric.l2Norm() + g.l2Norm()
        let delta = norms == 0 ? 0 : (numeric - g).l2Norm() / norms
        if !(delta < 1e-3) {
            fail("gradient \(shape) differs from finite differences of the penalty: relative difference \(delta)")
        }

        // 4. addGradient adds exactly gradient(w).
        let start = Tensor.normal(shape, using: &rng)
        var accumulated = start
        regularizer.addGradient(of: w, to: &accumulated)
        let expected = start + g
        let scale = max(expected.abs().max(), 1)
        if accumulated.shape != shape || (accumulated - expected).abs().max() > 1e-6 * scale {
            fail("addGradient(of:to:) \(shape) does not add gradient(w) to the existing gradient")
        }

        // 5. Determinism.
        if regularizer.penalty(w) != p || regularizer.gradient(w).scalars != g.scalars {
            fail("penalty or gradient \(shape) changed between two calls on the same weights")
        }

        // 6. Spec round trip.
        if let registry {
            do {
                let again = try registry.make(regularizer.description)
                if again.penalty(w) != p || again.gradient(w).scalars != g.scalars {
                    fail("'\(regularizer.description)' made by the registry computes a different penalty or gradient")
                }
            } catch {
                fail("the registry cannot make its description: \(error)")
            }
        }
    }
    return failures
}
