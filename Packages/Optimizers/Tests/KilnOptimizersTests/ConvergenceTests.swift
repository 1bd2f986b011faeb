import KilnOptimizers
import KilnRegistry
import KilnTensor
import Testing

/// Settings under which each registered optimizer must converge. Every registered name
/// must have a row (the test fails for a name without one), so a new built-in cannot
/// slip through untested.
struct ConvergenceCase: Sendable, CustomStringConvertible {
    var name: String
    var quadratic: (spec: String, steps: Int)
    var rosenbrock: (spec: String, steps: Int)
    /// A per-step learning-rate multiplier for Rosenbrock (sign-SGD needs a decaying rate).
    var rosenbrockDecay: (@Sendable (Int) -> Float)? = nil
    /// How close to (1, 1) Rosenbrock must end (from (-1.2, 1), 2.2 away).
    var rosenbrockTolerance: Float = 0.05
    var description: String { name }
}

let convergenceCases: [String: ConvergenceCase] = [
    "sgd": .init(name: "sgd", quadratic: ("sgd(lr=0.5)", 200), rosenbrock: ("sgd(lr=0.001, momentum=0.9)", 4000)),
    "momentum": .init(name: "momentum", quadratic: ("momentum(lr=0.1)", 300), rosenbrock: ("momentum(lr=0.001)", 4000)),
    "nesterov": .init(name: "nesterov", quadratic: ("nesterov(lr=0.1)", 300), rosenbrock: ("nesterov(lr=0.001)", 4000)),
    "adagrad": .init(name: "adagrad", quadratic: ("adagrad(lr=1)", 300), rosenbrock: ("adagrad(lr=0.5)", 4000)),
    "adadelta": .init(name: "adadelta", quadratic: ("adadelta(lr=1, eps=0.01)", 2000), rosenbrock: ("adadelta(lr=0.1, eps=1e-6)", 5000),
                      rosenbrockTolerance: 0.1),  // AdaDelta stalls in the valley's floor at about 0.06
    "rmsprop": .init(name: "rmsprop", quadratic: ("rmsprop(lr=0.01)", 1500), rosenbrock: ("rmsprop(lr=0.001, momentum=0.9)", 4000)),
    "adam": .init(name: "adam", quadratic: ("adam(lr=0.1)", 1000), rosenbrock: ("adam(lr=0.02)", 4000)),
    "adamw": .init(name: "adamw", quadratic: ("adamw(lr=0.1)", 1000), rosenbrock: ("adamw(lr=0.02, weight_decay=0)", 4000)),
    "nadam": .init(name: "nadam", quadratic: ("nadam(lr=0.1)", 1000), rosenbrock: ("nadam(lr=0.02)", 4000)),
    "adamax": .init(name: "adamax", quadratic: ("adamax(lr=0.1)", 1000), rosenbrock: ("adamax(lr=0.02)", 4000)),
    "test-sign-sgd": .init(name: "test-sign-sgd", quadratic: ("test-sign-sgd(lr=0.1)", 1000),
                           rosenbrock: ("test-sign-sgd(lr=0.02)", 20000), rosenbrockDecay: { 1 / (1 + Float($0) / 30) }),
]

@Suite struct ConvergenceTests {
    @Test(arguments: allOptimizerNames)
    func convergesOnQuadraticAndRosenbrock(name: String) throws {
        let row = try #require(convergenceCases[name], "no convergence settings for registered optimizer '\(name)'")
        let quadratic = try optimizers.make(row.quadratic.spec)
        let q = descend(.quadratic, quadratic, from: (-7, 2), steps: row.quadratic.steps)
        let qLoss = TestFunction.quadratic.value(x: q.x, y: q.y)
        #expect(qLoss < 1e-4, "\(row.quadratic.spec) on quadratic ended at \(q) with f = \(qLoss)")

        let rosenbrock = try optimizers.make(row.rosenbrock.spec)
        let r = descend(.rosenbrock, rosenbrock, from: (-1.2, 1), steps: row.rosenbrock.steps, decay: row.rosenbrockDecay)
        let distance = ((r.x - 1) * (r.x - 1) + (r.y - 1) * (r.y - 1)).squareRoot()
        #expect(distance < row.rosenbrockTolerance, "\(row.rosenbrock.spec) on rosenbrock ended at \(r), \(distance) from (1, 1)")
    }

    @Test func everyTestFunctionGradientMatchesFiniteDifferences() {
        for f in TestFunction.allCases {
            for (x, y) in [(Float(-1.5), Float(2)), (0.3, -0.7), (1, 1)] {
                let h: Float = 1e-3
                let (gx, gy) = f.gradient(x: x, y: y)
                let nx = (f.value(x: x + h, y: y) - f.value(x: x - h, y: y)) / (2 * h)
                let ny = (f.value(x: x, y: y + h) - f.value(x: x, y: y - h)) / (2 * h)
                #expect(abs(nx - gx) <= 2e-3 * max(1, abs(gx)), "\(f) d/dx at (\(x), \(y)): \(gx) vs \(nx)")
                #expect(abs(ny - gy) <= 2e-3 * max(1, abs(gy)), "\(f) d/dy at (\(x), \(y)): \(gy) vs \(ny)")
            }
            if let m = f.minimum {
                let (gx, gy) = f.gradient(x: m.x, y: m.y)
                #expect(gx == 0 && gy == 0 && f.value(x: m.x, y: m.y) == 0)
            }
        }
        #expect(TestFunction.quadratic.value(x: -7, y: 2) == 8.9)
        #expect(TestFunction.elongated.value(x: 2, y: 1) == 1.2)
        #expect(TestFunction.rosenbrock.value(x: 0, y: 1) == 101)
        #expect(TestFunction.saddle.value(x: 1, y: 2) == -3)
    }
}
