import KilnData
import KilnLayers
import KilnOptimizers
import KilnRegularizers
import KilnTensor
import KilnTraining

/// A learned combiner (stacking): softmax regression on the members' class probabilities.
///
/// For an example x with member probabilities p_1(x), …, p_M(x) (each K long), the
/// combiner's input is their concatenation z(x) ∈ R^{M·K} and its output
/// softmax(W z(x) + b), W `[M·K, K]`: a `dense(K)` model trained with softmax
/// cross-entropy. It can learn that a member is better on some classes, or that two
/// members are redundant, where soft voting weighs every member and class alike.
///
/// **Fitted out of bag.** A combiner fitted on probabilities of images the members trained
/// on would learn how members behave on training data (over-confident). So it is fitted on
/// the training examples that at least one member left out of its bootstrap sample, and an
/// example's features use only out-of-bag predictions: member m's block is p_m(x) when
/// member m never drew x, and otherwise the mean of the out-of-bag members' probabilities
/// for x (the best stand-in that no member trained on x). Test images were drawn by no
/// member, so at prediction every block is the member's own.
///
/// Training: Adam (lr 0.01), L2 1e-4 on W, batches of 256, `epochs` epochs (default: enough
/// for 1,000 steps, at least 10), a seeded run (the same ensemble and seed give the same
/// combiner). Saved with the ensemble
/// as `combiner.safetensors`, a Kiln model file.
public final class StackingCombiner {
    /// The `dense(K)` model on `[M·K]` inputs.
    public let model: Sequential
    /// M, the number of members whose probabilities are combined.
    public let members: Int
    /// K, the number of classes.
    public let classes: Int

    /// Wraps a trained model; throws unless it maps `[members · classes]` to `[classes]`.
    public init(model: Sequential, members: Int, classes: Int) throws {
        guard model.inputShape == [members * classes], model.outputShape == [classes] else {
            throw EnsembleError.invalidConfiguration(
                "the combiner maps \(model.inputShape) to \(model.outputShape); \(members) members of \(classes) classes need [\(members * classes)] to [\(classes)]")
        }
        self.model = model
        self.members = members
        self.classes = classes
    }

    /// Fits a combiner on a bagging run's out-of-bag predictions (see above).
    public static func fit(_ training: EnsembleTraining, classNames: [String], seed: UInt64, epochs: Int? = nil) throws -> StackingCombiner {
        let members = training.outOfBagPredictions.count
        let k = classNames.count
        let population = training.labels.count
        guard members >= 1, k >= 1 else { throw EnsembleError.invalidConfiguration("stacking needs members and classes") }
        // For each example: the members that left it out, and where their row is.
        var sources = [[(member: Int, row: Int)]](repeating: [], count: population)
        for (m, oob) in training.outOfBagPredictions.enumerated() {
            for (row, j) in oob.indices.enumerated() { sources[j].append((m, row)) }
        }
        let examples = (0..<population).filter { !sources[$0].isEmpty }
        guard examples.count >= 2 * k else {
            throw EnsembleError.invalidConfiguration(
                "stacking needs out-of-bag examples to fit the combiner on, and only \(examples.count) training images were left out by some member (use bootstrap samples, or --max-samples below 1 with --no-bootstrap)")
        }
        let width = members * k
        var features = [Float](repeating: 0, count: examples.count * width)
        let tables = training.outOfBagPredictions.map { $0.probabilities.scalars }
        for (e, j) in examples.enumerated() {
            var mean = [Double](repeating: 0, count: k)
            for (m, row) in sources[j] { for c in 0..<k { mean[c] += Double(tables[m][row * k + c]) } }
            for c in 0..<k { mean[c] /= Double(sources[j].count) }
            var own = [Int?](repeating: nil, count: members)
            for (m, row) in sources[j] { own[m] = row }
            for m in 0..<members {
                for c in 0..<k {
                    features[e * width + m * k + c] = own[m].map { tables[m][$0 * k + c] } ?? Float(mean[c])
                }
            }
        }
        let data = TensorDataset(inputs: Tensor(shape: [examples.count, width], scalars: features),
                                 labels: examples.map { training.labels[$0] }, classNames: classNames)
        var rng = RandomGenerator(seed: seed)
        let model = try Sequential.build(spec: "dense(\(k))", inputShape: [width], rng: &rng)
        let trainer = Trainer(model: model, optimizer: try optimizers.make("adam(lr=0.01)"), batchSize: 256, seed: seed)
        trainer.regularizer = try regularizers.make("l2(1e-4)")
        trainer.threads = 1
        let batches = (examples.count + 255) / 256
        try trainer.fit(train: data, epochs: epochs ?? max(10, (1000 + batches - 1) / batches))
        return try StackingCombiner(model: model, members: members, classes: k)
    }

    /// The combined class probabilities `[n, K]` from the members' `[n, K]` tables.
    public func combine(_ probabilities: [Tensor]) -> Tensor {
        precondition(probabilities.count == members, "StackingCombiner: \(probabilities.count) member tables for \(members) members")
        let n = probabilities.first?.shape.first ?? 0
        var z = [Float](repeating: 0, count: n * members * classes)
        for (m, p) in probabilities.enumerated() {
            precondition(p.shape == [n, classes], "StackingCombiner: member table \(p.shape), expected [\(n), \(classes)]")
            p.withUnsafeBufferPointer { src in
                for i in 0..<n {
                    for c in 0..<classes { z[(i * members + m) * classes + c] = src[i * classes + c] }
                }
            }
        }
        let logits = model.forward(Tensor(shape: [n, members * classes], scalars: z), training: false)
        return SoftmaxCrossEntropy().probabilities(logits)
    }
}
