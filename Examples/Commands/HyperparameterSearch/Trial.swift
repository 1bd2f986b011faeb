import KilnData
import KilnLayers
import KilnOptimizers
import KilnRegularizers
import KilnRegistry
import KilnTensor
import KilnTraining

/// How a configuration becomes a training run. The search space may name these
/// hyper-parameters (any others are an error):
///
/// | name | meaning | default |
/// | --- | --- | --- |
/// | `lr` | learning rate | 0.001 (adam), 0.1 (sgd) |
/// | `l2`, `l1` | regularizer strength on the weights (not both) | none |
/// | `hidden` | units per hidden layer | 128 |
/// | `layers` | hidden layers | 1 |
/// | `dropout` | dropout rate after each hidden activation | none |
/// | `momentum` | SGD momentum (`--optimizer sgd` only) | 0.9 |
/// | `batch` | mini-batch size | `--batch-size` |
struct TrialRecipe: Sendable {
    static let names = ["lr", "l2", "l1", "hidden", "layers", "dropout", "momentum", "batch"]

    var optimizer: String  // adam or sgd
    var batchSize: Int
    var epochs: Int
    var classes: Int
    /// Worker threads of each trial's trainer (the results do not depend on it).
    var threads = 1

    /// Checks a space against the recipe: known names, sensible ranges. Throws a message.
    func check(_ space: SearchSpace) throws {
        for d in space.dimensions {
            guard Self.names.contains(d.name) else {
                throw RecipeError("unknown hyper-parameter '\(d.name)' (known: \(Self.names.joined(separator: ", ")))", dimension: d.name)
            }
            let values: [HyperparameterValue]
            switch d.distribution {
            case .logUniform(let a, let b), .uniform(let a, let b): values = [.number(a), .number(b)]
            case .integer(let a, let b): values = [.integer(a), .integer(b)]
            case .choice(let v): values = v
            }
            for v in values {
                guard let x = v.double else { throw RecipeError("'\(d.name)' takes numbers, got '\(v)'", dimension: d.name) }
                switch d.name {
                case "lr": guard x > 0 && x <= 10 else { throw RecipeError("lr must be in (0, 10], got \(v)", dimension: d.name) }
                case "l2", "l1": guard x >= 0 && x <= 1 else { throw RecipeError("\(d.name) must be in [0, 1], got \(v)", dimension: d.name) }
                case "dropout": guard x >= 0 && x < 1 else { throw RecipeError("dropout must be in [0, 1), got \(v)", dimension: d.name) }
                case "momentum": guard x >= 0 && x < 1 else { throw RecipeError("momentum must be in [0, 1), got \(v)", dimension: d.name) }
                case "hidden": guard x >= 1 && x <= 4096 && x == x.rounded() else { throw RecipeError("hidden must be a whole number in 1...4096, got \(v)", dimension: d.name) }
                case "layers": guard x >= 1 && x <= 8 && x == x.rounded() else { throw RecipeError("layers must be a whole number in 1...8, got \(v)", dimension: d.name) }
                case "batch": guard x >= 1 && x <= 65536 && x == x.rounded() else { throw RecipeError("batch must be a whole number in 1...65536, got \(v)", dimension: d.name) }
                default: break
                }
            }
        }
        if space.dimension("l1") != nil && space.dimension("l2") != nil {
            let later = space.names.last { $0 == "l1" || $0 == "l2" }
            throw RecipeError("search l1 or l2, not both", dimension: later)
        }
        if space.dimension("momentum") != nil && optimizer != "sgd" {
            throw RecipeError("momentum needs --optimizer sgd", dimension: "momentum")
        }
    }

    func modelSpec(_ c: Configuration) -> String {
        let hidden = Int(c.double("hidden", default: 128).rounded())
        let layers = Int(c.double("layers", default: 1).rounded())
        let dropout = c["dropout"]?.double
        var stages: [String] = []
        for _ in 0..<layers {
            stages += ["dense(\(hidden))", "relu"]
            if let dropout, dropout > 0 { stages.append("dropout(\(Spec.format(dropout)))") }
        }
        return (stages + ["dense(\(classes))"]).joined(separator: "|")
    }

    func optimizerSpec(_ c: Configuration) -> String {
        if optimizer == "sgd" {
            return "sgd(lr=\(Spec.format(c.double("lr", default: 0.1))), momentum=\(Spec.format(c.double("momentum", default: 0.9))))"
        }
        return "adam(lr=\(Spec.format(c.double("lr", default: 0.001))))"
    }

    func regularizerSpec(_ c: Configuration) -> String? {
        if let l2 = c["l2"]?.double { return "l2(\(Spec.format(l2)))" }
        if let l1 = c["l1"]?.double { return "l1(\(Spec.format(l1)))" }
        return nil
    }

    /// Trains on `train` for `epochs` and scores dev accuracy (dev loss breaks ties). A
    /// diverged run is a failed trial, not an error.
    func evaluate(_ c: Configuration, seed: UInt64, train: TensorDataset, dev: TensorDataset) throws -> TrialResult {
        var rng = RandomGenerator(seed: seed)
        let model = try Sequential.build(spec: modelSpec(c), inputShape: train.inputShape, rng: &rng)
        let batch = Int(c.double("batch", default: Double(batchSize)).rounded())
        let trainer = Trainer(model: model, optimizer: try optimizers.make(optimizerSpec(c)), batchSize: batch, seed: seed)
        if let r = regularizerSpec(c) { trainer.regularizer = try regularizers.make(r) }
        trainer.threads = threads
        do {
            try trainer.fit(train: train, epochs: epochs)
        } catch let error as TrainingError {
            return TrialResult(score: nil, note: "\(error)".hasPrefix("training diverged") ? "diverged" : "\(error)")
        }
        let result = trainer.evaluate(dev)
        guard result.loss.isFinite else { return TrialResult(score: nil, note: "diverged") }
        return TrialResult(score: result.accuracy, loss: result.loss)
    }
}

struct RecipeError: Error, CustomStringConvertible {
    var description: String
    /// The dimension the problem is about, if one.
    var dimension: String?
    init(_ description: String, dimension: String? = nil) {
        self.description = description
        self.dimension = dimension
    }
}
