/// The bias/variance diagnosis of the course notes, from train and dev error.
///
/// With an optional target (Bayes/human) error e*:
/// - avoidable bias = train error - e* (high: the model underfits: a bigger network,
///   longer training, a better optimizer);
/// - variance = dev error - train error (high: the model overfits: more data,
///   regularization, augmentation, early stopping).
///
/// The course notes' table, with e* ≈ 0: train 1% / dev 11% is high variance; 15% / 16% high
/// bias; 15% / 30% both; 0.5% / 1% neither. "High" here means above `threshold`
/// (default 2 percentage points), a rule of thumb to be read with the numbers.
public struct Diagnosis: Sendable, CustomStringConvertible {
    /// 1 − train accuracy.
    public var trainError: Double
    /// 1 − dev accuracy.
    public var devError: Double
    /// e*, the error the best possible model would make (Bayes or human error; default 0).
    public var targetError: Double
    /// How large avoidable bias or variance must be to count as high (default 0.02).
    public var threshold: Double

    /// The diagnosis of a model with these train and dev accuracies.
    public init(trainAccuracy: Double, devAccuracy: Double, targetError: Double = 0, threshold: Double = 0.02) {
        trainError = 1 - trainAccuracy
        devError = 1 - devAccuracy
        self.targetError = targetError
        self.threshold = threshold
    }

    /// Train error − e*: how much better the model could fit the training set.
    public var avoidableBias: Double { trainError - targetError }
    /// Dev error − train error: how much worse the model does on data it did not train on.
    public var variance: Double { devError - trainError }
    /// Whether the avoidable bias is above the threshold (underfitting).
    public var highBias: Bool { avoidableBias > threshold }
    /// Whether the variance is above the threshold (overfitting).
    public var highVariance: Bool { variance > threshold }

    /// The diagnosis and the course notes' advice for it, in one sentence.
    public var verdict: String {
        switch (highBias, highVariance) {
        case (true, true): return "high bias and high variance: fit the training set better first, then regularize"
        case (true, false): return "high bias (underfitting): try a bigger network, longer training or a better optimizer"
        case (false, true): return "high variance (overfitting): try more data, regularization, augmentation or early stopping"
        case (false, false): return "low bias and low variance"
        }
    }

    public var description: String {
        func pct(_ x: Double) -> String { formatFixed(100 * x, 2) + "%" }
        return """
        bias/variance diagnosis (target error \(pct(targetError))):
          train error \(pct(trainError))   dev error \(pct(devError))
          avoidable bias \(pct(avoidableBias))   variance \(pct(variance))
          -> \(verdict)
        """
    }
}
