import KilnLayers
import KilnRegistry
import KilnTensor
import Testing

// The Layers README's "Write your own layer", compiled and run here; the README shows the
// code between the snippet markers (ReadmeSnippetTests checks they agree).

// snippet swish
/// `swish`: y = x·σ(x) (SiLU). Backward: dy/dx = σ(x)·(1 + x·(1 − σ(x))).
/// Written like the built-ins: output and input-gradient buffers kept between calls
/// (`ensureShape` reallocates only when the batch changes), loops over unsafe buffers.
final class Swish: Layer {
    var needsInputGradient = true
    private var input = emptyGradient
    private var output = emptyGradient
    private var inputGradient = emptyGradient

    var description: String { "swish" }
    var parameters: [Parameter] { [] }

    func build(inputShape: [Int], name: String, rng: inout RandomGenerator) throws -> [Int] { inputShape }

    func forward(_ x: Tensor, training: Bool) -> Tensor {
        input = x
        output.ensureShape(x.shape)
        x.withUnsafeBufferPointer { xp in
            output.withUnsafeMutableBufferPointer { yp in
                for i in 0..<xp.count { yp[i] = xp[i] * logistic(xp[i]) }
            }
        }
        return output
    }

    func backward(_ outputGradient: Tensor) -> Tensor {
        guard needsInputGradient else { return emptyGradient }
        inputGradient.ensureShape(input.shape)
        input.withUnsafeBufferPointer { xp in
            outputGradient.withUnsafeBufferPointer { gp in
                inputGradient.withUnsafeMutableBufferPointer { dx in
                    for i in 0..<xp.count {
                        let s = logistic(xp[i])
                        dx[i] = gp[i] * s * (1 + xp[i] * (1 - s))
                    }
                }
            }
        }
        return inputGradient
    }
}
// end snippet

@Suite struct LayersReadmeTests {
    @Test func writeYourOwnLayer() throws {
        // snippet swish-use
        layers.register("swish") { _ in Swish() }                      // now "swish" works in every spec
        #expect(checkLayerConformance({ Swish() }, inputShape: [5], registry: layers) == [])
        var rng = RandomGenerator(seed: 1)
        let model = try Sequential.build(spec: "dense(16)|swish|dense(3)", inputShape: [4], rng: &rng)
        let rows = GradientCheck().run(model, input: Tensor.normal([2, 4], using: &rng), labels: [0, 2])
        #expect(rows.allSatisfy { $0.passed })
        // end snippet
        #expect(model.description == "dense(16, init=he-normal, bias_init=zeros)|swish|dense(3, init=he-normal, bias_init=zeros)")
    }
}
