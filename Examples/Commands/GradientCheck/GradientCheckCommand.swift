import ArgumentParser
import KilnExampleSupport
import KilnLayers
import KilnTensor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `gradient-check`: the course notes' gradient check on a small network.
///
/// Builds the model spec for a random input batch, compares every parameter's backprop
/// gradient with two-sided finite differences and prints one row per parameter (and the
/// input): name, shape, delta = ||g_num − g|| / (||g_num|| + ||g||), pass/fail against
/// the float32 threshold (1e-2 by default; see `GradientCheck` in KilnLayers for why
/// float32 cannot use the float64 thresholds of the notes). Exit status 0 when every row
/// passes, 1 otherwise, 64 for usage errors.
///
/// The default network has no dropout: the notes warn that dropout and gradient checking
/// do not mix (each forward pass would drop different units). The checker re-seeds the
/// model before every pass, so a model with dropout still gives a meaningful check of
/// one fixed mask; `--mode eval` turns dropout off and uses BatchNorm's running statistics.
public struct GradientCheckCommand: ParsableCommand {
    public init() {}

    public static let configuration = CommandConfiguration(
        commandName: "gradient-check",
        abstract: "Finite-difference check of every layer's backward pass (the course notes' method).",
        discussion: """
            Prints, per parameter: shape, delta = ||g_num - g|| / (||g_num|| + ||g||), and pass/fail.
            A correct float32 layer gives delta around 1e-6 alone and up to ~1e-3 in a network; a bug gives 0.1-1.
            Exit status: 0 when all rows pass, 1 otherwise, 64 for usage errors.
            """)

    @Option(help: "Model spec (layers joined by '|').")
    var model = "conv(4, kernel=3, padding=1)|tanh|batchnorm|maxpool(2)|flatten|dense(16)|elu|layernorm|dense(10)"

    @Option(name: .customLong("input-shape"), help: "Per-example input shape, e.g. 1,8,8 or 20.")
    var inputShape = "1,8,8"

    @Option(help: "Examples in the random batch.")
    var batch = 4

    @Option(help: "Loss: softmax-ce (random labels), mse or bce (random targets).")
    var loss = "softmax-ce"

    @Option(help: "Forward mode: train (batch statistics) or eval (running statistics, no dropout).")
    var mode = "train"

    @Option(help: "Finite-difference step h (3e-3 balances float32 rounding against curvature and kinks).")
    var step: Float = 3e-3

    @Option(help: "Pass threshold for delta.")
    var threshold: Double = KilnLayers.GradientCheck.defaultThreshold

    @Option(help: "Seed for the weights, inputs and labels.")
    var seed: UInt64 = 1

    @Flag(name: .customLong("no-input"), help: "Do not check the gradient w.r.t. the input.")
    var noInput = false

    public func validate() throws {
        guard batch >= 1 && batch <= 4096 else { throw ValidationError("--batch must be in 1...4096, got \(batch)") }
        guard step > 0 && step.isFinite && step < 1 else { throw ValidationError("--step must be in (0, 1), got \(step)") }
        guard threshold > 0 && threshold.isFinite else { throw ValidationError("--threshold must be positive, got \(threshold)") }
        guard ["softmax-ce", "mse", "bce"].contains(loss) else {
            throw ValidationError("--loss must be one of softmax-ce, mse, bce, got '\(loss)'")
        }
        guard ["train", "eval"].contains(mode) else { throw ValidationError("--mode must be train or eval, got '\(mode)'") }
        _ = try parsedShape()
    }

    func parsedShape() throws -> [Int] {
        let parts = inputShape.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters()) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && $0! > 0 && $0! <= 4096 }) else {
            throw ValidationError("--input-shape must be positive integers separated by commas (e.g. 1,8,8), got '\(inputShape)'")
        }
        let shape = parts.map { $0! }
        guard shape.reduce(1, *) <= 1 << 16 else { throw ValidationError("--input-shape \(inputShape) is too large for a gradient check") }
        return shape
    }

    public func run() throws {
        let shape = try parsedShape()
        var rng = RandomGenerator(seed: seed)
        let network: Sequential
        do {
            network = try Sequential.build(spec: model, inputShape: shape, rng: &rng)
        } catch {
            throw ValidationError("--model: \(error)")
        }
        let parameterCount = network.parameters.reduce(0) { $0 + $1.value.count }
        guard parameterCount <= 200_000 else {
            throw ValidationError("--model has \(parameterCount) parameters; a gradient check needs two forward passes per parameter, use a smaller network")
        }
        let input = Tensor.normal([batch] + shape, mean: 0, std: 1, using: &rng)
        let outputShape = [batch] + network.outputShape
        let checker = KilnLayers.GradientCheck(step: step, threshold: threshold, training: mode == "train",
                                               checkInput: !noInput, seed: seed)
        let rows: [KilnLayers.GradientCheck.Row]
        switch loss {
        case "softmax-ce":
            guard network.outputShape.count == 1, network.outputShape[0] >= 2 else {
                throw ValidationError("--loss softmax-ce needs a model ending in [classes] (>= 2), got output \(network.outputShape)")
            }
            let labels = (0..<batch).map { _ in rng.int(below: network.outputShape[0]) }
            rows = checker.run(network, input: input, labels: labels)
        case "mse":
            let target = Tensor.normal(outputShape, mean: 0, std: 1, using: &rng)
            let mse = MeanSquaredError()
            rows = checker.run(network, input: input) { mse.lossAndGradientInDouble(output: $0, target: target) }
        default:
            let target = Tensor.uniform(outputShape, low: 0, high: 1, using: &rng)
            let bce = BinaryCrossEntropyWithLogits()
            rows = checker.run(network, input: input) { bce.lossAndGradientInDouble(output: $0, target: target) }
        }

        print("model:     \(network.description)")
        print("input:     \(batch) x \(shape.map(String.init).joined(separator: "x")), loss \(loss), mode \(mode), seed \(seed)")
        print("check:     two-sided differences, step \(step), float32, pass if delta <= \(threshold)")
        if mode == "train", network.layers.contains(where: { $0 is Dropout && ($0 as! Dropout).rate > 0 }) {
            print("note:      the model has dropout; every pass re-uses one mask (re-seeded), so this checks that mask only")
        }
        print("")
        print(KilnLayers.GradientCheck.table(rows))
        print("")
        let failed = rows.filter { !$0.passed }
        let worst = rows.map(\.delta).max() ?? 0
        if failed.isEmpty {
            print("all \(rows.count) gradients pass (largest delta \(worst))")
        } else {
            print("\(failed.count) of \(rows.count) gradients FAIL: \(failed.map(\.name).joined(separator: ", "))")
            throw ExitCode(1)
        }
    }

    /// Runs the command with the examples' error contract (`CommandMain`).
    public static func main() { CommandMain.run(GradientCheckCommand.self) }
}

extension Substring {
    fileprivate func trimmingCharacters() -> Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
