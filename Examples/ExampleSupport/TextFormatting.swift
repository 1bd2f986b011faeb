import KilnTraining

/// Right-aligns `text` in `width` columns (the examples' tables).
public func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

/// `+0.52` / `-0.10`: a signed difference in points, two decimals.
public func formatSigned(_ x: Double) -> String { (x >= 0 ? "+" : "") + formatFixed(x, 2) }

/// The parsed shared flags, read by member and trial tasks on other threads.
/// `TrainingOptions` is a struct of strings and numbers (value semantics) that nobody
/// mutates after parsing.
public struct SharedTrainingOptions: @unchecked Sendable {
    public let value: TrainingOptions
    public init(value: TrainingOptions) { self.value = value }
}
