import KilnData
import KilnLayers
import KilnTensor
import KilnTraining

/// A trained classifier: a single model or an ensemble answer the same calls.
///
/// ```swift
/// func report(_ c: some Classifier, on test: TensorDataset) {
///     print(c.evaluate(test).accuracy)            // a Sequential or an Ensemble
/// }
/// ```
///
/// Implementation requirements: `predictProbabilities` returns `[n, classes]` rows that
/// sum to 1 for inputs `[n] + inputShape`, in evaluation mode (no dropout, BatchNorm's
/// running statistics) and without changing the model; `evaluate` agrees with it.
public protocol Classifier: AnyObject {
    /// The per-example input shape (no batch axis).
    var inputShape: [Int] { get }
    /// Class probabilities for `inputs` `[n] + inputShape`, computed `batchSize` rows at a time.
    func predictProbabilities(_ inputs: Tensor, batchSize: Int) -> Tensor
    /// The predicted class of each row of `inputs` (default: the argmax of the probabilities).
    func predict(_ inputs: Tensor, batchSize: Int) -> [Int]
    /// Mean loss, accuracy, confusion matrix and predictions on `data`.
    func evaluate(_ data: any Dataset, batchSize: Int) -> Evaluation
}

extension Classifier {
    /// Class probabilities, 1,000 rows at a time.
    public func predictProbabilities(_ inputs: Tensor) -> Tensor { predictProbabilities(inputs, batchSize: 1000) }

    public func predict(_ inputs: Tensor, batchSize: Int) -> [Int] {
        predictProbabilities(inputs, batchSize: batchSize).argmaxIndices()
    }

    /// The predicted class of each row of `inputs`, 1,000 rows at a time.
    public func predict(_ inputs: Tensor) -> [Int] { predict(inputs, batchSize: 1000) }

    /// Evaluation 1,000 examples at a time.
    public func evaluate(_ data: any Dataset) -> Evaluation { evaluate(data, batchSize: 1000) }
}

/// A single model is a classifier through the trainer's evaluation functions.
extension Sequential: Classifier {
    public func predictProbabilities(_ inputs: Tensor, batchSize: Int) -> Tensor {
        Trainer.predictProbabilities(model: self, inputs: inputs, batchSize: batchSize)
    }

    public func evaluate(_ data: any Dataset, batchSize: Int) -> Evaluation {
        Trainer.evaluate(model: self, data: data, batchSize: batchSize)
    }
}
