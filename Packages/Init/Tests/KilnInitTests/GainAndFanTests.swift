import KilnInit
import KilnTensor
import Testing

@Suite struct GainAndFanTests {
    @Test(arguments: [
        ("linear", Float(1)), ("identity", Float(1)), ("sigmoid", Float(1)), ("tanh", Float(5.0 / 3.0)), ("relu", Float(1.4142135)),
        ("leaky-relu", Float(1.4141428)), ("selu", Float(0.75)),
    ])
    func gainTable(activation: String, expected: Float) throws {
        #expect(abs(try gain(for: activation) - expected) <= 1e-6)
    }

    @Test func leakyReLUGainUsesTheSlope() throws {
        #expect(abs(try gain(for: "leaky-relu", slope: 0.2) - (2 / 1.04).squareRoot()) <= 1e-6)
        #expect(try gain(for: "leaky-relu", slope: 0) == gain(for: "relu"))
        #expect(abs(try gain(for: "leaky-relu", slope: 1) - 1) <= 1e-6)  // slope 1 is linear
        #expect(try gain(for: "leaky_relu", slope: 0.2) == gain(for: "leaky-relu", slope: 0.2))
        #expect(try gain(for: "tanh", slope: 0.5) == 5.0 / 3.0)  // slope ignored elsewhere
    }

    @Test func unknownActivationThrowsListingValidNames() {
        #expect {
            try gain(for: "swish")
        } throws: { error in
            "\(error)".contains("swish") && "\(error)".contains("leaky-relu") && !"\(error)".contains("\n")
        }
        #expect(throws: InitializerError.self) { try gain(for: "leaky-relu", slope: .infinity) }
        #expect(gainActivations.allSatisfy { (try? gain(for: $0)) != nil })
    }

    @Test func fans() {
        let dense = Fan.dense(inputs: 784, outputs: 256)
        #expect(dense.fanIn == 784 && dense.fanOut == 256 && dense.average == 520)
        let conv = Fan.conv(kernelHeight: 5, kernelWidth: 3, inputChannels: 2, outputChannels: 7)
        #expect(conv.fanIn == 30 && conv.fanOut == 105)
        #expect(FanMode.fanIn.value(of: conv) == 30)
        #expect(FanMode.fanOut.value(of: conv) == 105)
        #expect(FanMode.fanAverage.value(of: conv) == 67.5)
    }

    /// The initializers read the fan, not the shape: a conv kernel's std depends on kh·kw·c_in.
    @Test func fanNotShapeSetsTheScale() {
        var a = RandomGenerator(seed: 1), b = RandomGenerator(seed: 1)
        let small = HeNormal().make(shape: [64, 64], fan: Fan(fanIn: 8, fanOut: 8), rng: &a)
        let large = HeNormal().make(shape: [64, 64], fan: Fan(fanIn: 800, fanOut: 8), rng: &b)
        #expect(abs(small.l2Norm() / large.l2Norm() - 10) < 1e-3)
    }
}
