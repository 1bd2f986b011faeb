import KilnOptimizers
import KilnTensor
import Testing
import _KilnTestSupport

@Suite struct ParameterGroupTests {
    func layer() -> [Parameter] {
        let ps = [Parameter(name: "0.weight", value: Tensor([1, 1])),
                  Parameter(name: "0.bias", value: Tensor([1]), isRegularized: false),
                  Parameter(name: "1.weight", value: Tensor([1, 1])),
                  Parameter(name: "1.bias", value: Tensor([1]), isRegularized: false)]
        for p in ps { p.gradient = Tensor(repeating: 1, shape: p.shape) }
        return ps
    }

    @Test func weightDecayOffForBiasesAndScaledRateForTheFirstLayer() {
        let sgd = SGD(learningRate: 0.1, weightDecay: 0.5)
        sgd.groups = [ParameterGroup(matching: { !$0.isRegularized }, weightDecay: 0),
                      ParameterGroup(matching: { $0.name.hasPrefix("0.") }, learningRateScale: 0.1)]
        let ps = layer()
        sgd.step(ps)
        // θ − η(g + λθ): weights decay, biases do not; layer 0 at a tenth of the rate.
        expectClose(ps[0].value, Tensor([1 - 0.01 * 1.5, 1 - 0.01 * 1.5]))
        expectClose(ps[1].value, Tensor([1 - 0.01]))
        expectClose(ps[2].value, Tensor([1 - 0.1 * 1.5, 1 - 0.1 * 1.5]))
        expectClose(ps[3].value, Tensor([1 - 0.1]))
    }

    @Test func precedenceLastAbsoluteValueWinsScalesMultiply() {
        let sgd = SGD(learningRate: 0.1, weightDecay: 0.5)
        sgd.groups = [ParameterGroup(matching: { _ in true }, learningRate: 1, learningRateScale: 0.5, weightDecay: 0.2),
                      ParameterGroup(names: ["1.weight"], learningRate: 0.2, learningRateScale: 0.5, weightDecay: 0)]
        let ps = layer()
        sgd.step(ps)
        expectClose(ps[0].value, Tensor([1 - 0.5 * 1.2, 1 - 0.5 * 1.2]))   // lr 1 × 0.5, decay 0.2
        expectClose(ps[2].value, Tensor([1 - 0.05, 1 - 0.05]))             // lr 0.2 × 0.5 × 0.5, decay 0
        let resolved = ParameterGroup.resolve(ps[2], groups: sgd.groups, learningRate: 0.1, weightDecay: 0.5)
        #expect(resolved.learningRate == 0.05 && resolved.weightDecay == 0)
    }

    @Test func scalesFollowTheOptimizerLearningRate() {
        let sgd = SGD(learningRate: 0.1)
        sgd.groups = [ParameterGroup(matching: { $0.name.hasPrefix("0.") }, learningRateScale: 0.5)]
        let ps = layer()
        sgd.learningRate = 0.4
        sgd.step(ps)
        expectClose(ps[0].value, Tensor([0.8, 0.8]))
        expectClose(ps[2].value, Tensor([0.6, 0.6]))
    }

    @Test func adamwDecoupledDecayRespectsGroups() {
        let adamw = AdamW(learningRate: 0.1, weightDecay: 0.5)
        adamw.groups = [ParameterGroup(matching: { !$0.isRegularized }, weightDecay: 0)]
        let ps = layer()
        for p in ps { p.zeroGradient() }
        adamw.step(ps)
        // Zero gradient: m = v = 0, so only the decay moves values: θ(1 − ηλ).
        expectClose(ps[0].value, Tensor([0.95, 0.95]))
        expectClose(ps[1].value, Tensor([1]))
    }
}
