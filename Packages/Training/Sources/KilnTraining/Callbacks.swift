import Dispatch
import Foundation
import KilnFiles

/// Progress on standard error: on a terminal a live bar (batch, loss, samples/s, ETA),
/// otherwise one plain line per epoch (logs and CI stay readable).
public final class ProgressBar: TrainingCallback {
    private let isTerminal: Bool
    private var epochs = 0
    private var lastDraw: UInt64 = 0
    private var epochStart: UInt64 = 0

    /// `terminal: nil` detects whether standard error is a TTY.
    public init(terminal: Bool? = nil) {
        isTerminal = terminal ?? (isatty(STDERR_FILENO) != 0)
    }

    /// Remembers the epoch count for the bar.
    public func trainingWillStart(epochs: Int, startEpoch: Int, batchesPerEpoch: Int, examplesPerEpoch: Int) {
        self.epochs = epochs
    }

    /// Redraws the bar (on a terminal, at most ten times a second).
    public func batchDidEnd(epoch: Int, batch: Int, batches: Int, loss: Float, samplesPerSecond: Double) {
        guard isTerminal else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        if batch == 1 { epochStart = now }
        guard now - lastDraw > 100_000_000 || batch == batches else { return }
        lastDraw = now
        let width = 24
        let filled = batches > 0 ? width * batch / batches : width
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
        let elapsed = Double(now - epochStart) / 1e9
        let eta = batch > 0 ? elapsed / Double(batch) * Double(batches - batch) : 0
        let line = "epoch \(epoch)/\(epochs) [\(bar)] \(batch)/\(batches) loss \(formatFixed(Double(loss), 4)) \(Int(samplesPerSecond)) samples/s ETA \(formatFixed(eta, 1))s"
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }

    /// Prints the epoch's summary line.
    public func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws {
        if isTerminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        FileHandle.standardError.write(Data((ProgressBar.summary(record, epochs: epochs) + "\n").utf8))
    }

    /// One line per epoch: losses, accuracies, speed.
    public static func summary(_ r: EpochRecord, epochs: Int) -> String {
        var line = "epoch \(r.epoch)/\(epochs): train loss \(formatFixed(r.trainLoss, 4)) acc \(formatFixed(r.trainAccuracy, 4))"
        if let devLoss = r.devLoss, let devAccuracy = r.devAccuracy {
            line += " | dev loss \(formatFixed(devLoss, 4)) acc \(formatFixed(devAccuracy, 4))"
        }
        line += " | \(formatFixed(r.seconds, 2)) s, \(Int(r.samplesPerSecond)) samples/s"
        if r.skippedSteps > 0 { line += ", \(r.skippedSteps) non-finite steps skipped" }
        return line
    }
}

/// Writes the epoch history to a file after every epoch: CSV (`.csv`) or JSON lines
/// (anything else). The file is rewritten atomically each time, so it is always complete.
public final class HistoryLog: TrainingCallback {
    /// The history file; `.csv` gives CSV, anything else JSON lines.
    public let path: String
    /// A log written to `path`.
    public init(path: String) { self.path = path }

    /// Rewrites the whole history file atomically.
    public func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws {
        let text: String
        if path.hasSuffix(".csv") {
            text = ([EpochRecord.csvHeader] + trainer.history.map(\.csvRow)).joined(separator: "\n") + "\n"
        } else {
            text = trainer.history.map(\.json).joined(separator: "\n") + "\n"
        }
        try AtomicFile.write(text, to: path)
    }
}

/// Saves a full checkpoint (atomically) after every epoch, for `--resume`.
public final class CheckpointWriter: TrainingCallback {
    /// The checkpoint file, replaced after every epoch.
    public let path: String
    let inputShape: [Int]
    let classNames: [String]
    let extraMetadata: [String: String]

    /// A writer of checkpoints of a model with `inputShape` and `classNames`, with extra
    /// metadata keys of your own.
    public init(path: String, inputShape: [Int], classNames: [String], extraMetadata: [String: String] = [:]) {
        self.path = path
        self.inputShape = inputShape
        self.classNames = classNames
        self.extraMetadata = extraMetadata
    }

    /// Writes the trainer's checkpoint, with the extra metadata, atomically.
    public func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws {
        var file = trainer.checkpoint(inputShape: inputShape, classNames: classNames)
        for (k, v) in extraMetadata { file.metadata[k] = v }
        try file.write(to: path)
    }
}

/// Calls a closure after every epoch (e.g. to print JSON lines).
public final class EpochObserver: TrainingCallback {
    let body: (EpochRecord) throws -> Void
    /// An observer that calls `body` with each epoch's record.
    public init(_ body: @escaping (EpochRecord) throws -> Void) { self.body = body }
    /// Calls the closure; what it throws stops training.
    public func epochDidEnd(_ record: EpochRecord, trainer: Trainer) throws { try body(record) }
}
