import KilnRegistry
import KilnTensor

/// Checks the implementation requirements of ``Initializer`` on `initializer` and returns
/// one line per failure (empty: it conforms). Call it from your own tests:
///
/// ```swift
/// #expect(checkInitializerConformance(MyInit(), registry: initializers) == [])
/// ```
///
/// On dense, conv, rank-1 and empty shapes (all with positive fans), it checks that:
/// 1. the result has exactly the requested shape and finite values;
/// 2. the same seed gives bit-identical weights, and leaves the generator in the same
///    state (the initializer draws only from `rng`);
/// 3. with `registry`: `registry.make(description)` succeeds and, from the same seed,
///    makes bit-identical weights (the spec round trip).
public func checkInitializerConformance(
    _ initializer: any Initializer, registry: Registry<any Initializer>? = nil, seed: UInt64 = 1
) -> [String] {
    var failures: [String] = []
    let name = initializer.description
    func fail(_ message: String) { failures.append("\(name): \(message)") }
    let cases: [(shape: [Int], fan: Fan)] = [
        ([12, 20], .dense(inputs: 12, outputs: 20)),
        ([20, 12], .dense(inputs: 20, outputs: 12)),
        ([8, 3, 3, 4], .conv(kernelHeight: 3, kernelWidth: 3, inputChannels: 4, outputChannels: 8)),
        ([7], Fan(fanIn: 7, fanOut: 1)),
        ([0, 5], .dense(inputs: 3, outputs: 5)),
    ]
    var again: (any Initializer)?
    if let registry {
        do { again = try registry.make(initializer.description) } catch {
            fail("the registry cannot make its description: \(error)")
        }
    }
    for (shape, fan) in cases {
        var a = RandomGenerator(seed: seed), b = RandomGenerator(seed: seed)
        let x = initializer.make(shape: shape, fan: fan, rng: &a)
        guard x.shape == shape else {
            fail("made shape \(x.shape), expected \(shape)")
            continue
        }
        if !x.isFinite { fail("made non-finite values for shape \(shape)") }
        let y = initializer.make(shape: shape, fan: fan, rng: &b)
        if x.scalars != y.scalars { fail("the same seed gave different weights for shape \(shape)") }
        if a != b { fail("the same seed left the generator in different states for shape \(shape)") }
        if let again {
            var c = RandomGenerator(seed: seed)
            let z = again.make(shape: shape, fan: fan, rng: &c)
            if z.shape != shape || z.scalars != x.scalars {
                fail("'\(initializer.description)' made by the registry gives different weights for shape \(shape)")
            }
        }
    }
    return failures
}
