import ArgumentParser
import KilnExampleSupport
import Foundation
import KilnOptimizers
import KilnTensor

/// `custom-optimizer`: registers sign-SGD (SignSGD.swift, under 30 lines) and trains a
/// logistic regression on synthetic data with it, by name, printing the loss per epoch.
///
/// The data: `--samples` points x ~ N(0, I₂), labels y ~ Bernoulli(σ(w*·x + b*)) with
/// w* = (2, −3), b* = 0.5 (noisy labels, so the best reachable loss is the loss of the
/// true weights, printed as the reference). The gradient of the mean binary cross-entropy
/// is written by hand: ∂L/∂w = Xᵀ(σ(Xw + b) − y)/n, ∂L/∂b = mean(σ(Xw + b) − y).
/// Any registered optimizer works: `--optimizer "adam(lr=0.1)"`.
public struct CustomOptimizerCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "custom-optimizer",
        abstract: "Registers a sign-SGD written in this example and trains logistic regression with it by name.",
        discussion: """
            Prints one row per epoch: learning rate, training loss (mean binary cross-entropy), accuracy.
            Exit status: 0 on success, 64 for usage errors (bad flag, unknown optimizer, malformed spec).
            """)

    @Option(help: "Optimizer spec; any registered name, including the example's sign-sgd.")
    var optimizer = "sign-sgd(lr=0.05)"

    @Option(help: "Learning-rate schedule spec (e.g. constant, inverse-time(0.3), cosine(total=10)).")
    var schedule = "inverse-time(decay=0.3)"

    @Option(help: "Epochs.")
    var epochs = 10

    @Option(name: .customLong("batch-size"), help: "Examples per mini-batch.")
    var batchSize = 32

    @Option(help: "Synthetic examples.")
    var samples = 1024

    @Option(help: "Seed for the data and the batch order.")
    var seed: UInt64 = 1

    public mutating func validate() throws {
        guard epochs >= 1, epochs <= 100_000 else { throw ValidationError("--epochs must be in 1...100000, got \(epochs)") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be >= 1, got \(batchSize)") }
        guard samples >= 2, samples <= 10_000_000 else { throw ValidationError("--samples must be in 2...10000000, got \(samples)") }
    }

    /// Runs the command with the examples' error contract (`CommandMain`).
    public static func main() { CommandMain.run(CustomOptimizerCommand.self) }

    public func run() throws {
        registerSignSGD()
        let optimizer: any Optimizer
        let schedule: any LearningRateSchedule
        do {
            optimizer = try optimizers.make(self.optimizer)
            schedule = try schedules.make(self.schedule)
        } catch {
            throw ValidationError("\(error)")
        }

        // Synthetic data.
        var rng = RandomGenerator(seed: seed)
        let x = Tensor.normal([samples, 2], mean: 0, std: 1, using: &rng)
        let trueW = Tensor(shape: [2, 1], scalars: [2, -3]), trueB: Float = 0.5
        let p = (matmul(x, trueW) + trueB).sigmoid()
        let y = Tensor(shape: [samples, 1], unsafeUninitialized: { out in
            for i in 0..<samples { out[i] = rng.bernoulli(p[i, 0]) ? 1 : 0 }
        })

        let w = Parameter(name: "weight", value: .zeros([2, 1]))
        let b = Parameter(name: "bias", value: .zeros([1]), isRegularized: false)
        let base = optimizer.learningRate

        print("optimizer: \(optimizer)   schedule: \(schedule)   (registered: \(optimizers.names.joined(separator: ", ")))")
        print("loss of the true weights w* = (2, -3), b* = 0.5: \(format(loss(x, y, trueW, trueB).loss))")
        print("epoch  learning-rate  loss     accuracy")
        let start = loss(x, y, w.value, b.value[flat: 0])
        print(row(0, "-", start.loss, start.accuracy))
        for epoch in 0..<epochs {
            optimizer.learningRate = schedule.learningRate(epoch: epoch, base: base)
            let order = rng.permutation(samples)
            var first = 0
            while first < samples {
                let rows = Array(order[first..<min(first + batchSize, samples)])
                first += batchSize
                let xb = x.gatherRows(rows), yb = y.gatherRows(rows)
                // Hand-written gradient of the mean binary cross-entropy.
                let error = (matmul(xb, w.value) + b.value[flat: 0]).sigmoid() - yb
                let n = Float(rows.count)
                w.gradient = matmul(xb, error, transposeA: true) / n
                b.gradient = Tensor([error.sum() / n])
                optimizer.step([w, b])
            }
            let result = loss(x, y, w.value, b.value[flat: 0])
            schedule.observe(metric: Double(result.loss))
            print(row(epoch + 1, format(optimizer.learningRate), result.loss, result.accuracy))
        }
        print("learned w = (\(format(w.value[0, 0])), \(format(w.value[1, 0]))), b = \(format(b.value[flat: 0]))")
    }

    /// Mean binary cross-entropy, computed stably as softplus(z) − y·z, and accuracy.
    func loss(_ x: Tensor, _ y: Tensor, _ w: Tensor, _ b: Float) -> (loss: Float, accuracy: Float) {
        let z = matmul(x, w) + b
        var total: Double = 0
        var correct = 0
        for i in 0..<z.count {
            let zi = z[flat: i], yi = y[flat: i]
            total += Double(max(zi, 0) + Foundation.log1p(Foundation.exp(-abs(zi))) - yi * zi)
            if (zi > 0) == (yi > 0.5) { correct += 1 }
        }
        return (Float(total / Double(z.count)), Float(correct) / Float(z.count))
    }

    func format(_ x: Float) -> String { String(format: "%.4f", Double(x)) }

    func row(_ epoch: Int, _ rate: String, _ loss: Float, _ accuracy: Float) -> String {
        func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
        return pad("\(epoch)", 7) + pad(rate, 15) + pad(format(loss), 9) + String(format: "%.1f%%", Double(accuracy * 100))
    }
}
