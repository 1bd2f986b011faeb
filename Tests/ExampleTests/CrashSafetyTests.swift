import Foundation
import Testing

/// Crash-safe checkpoints: `mnist-classifier --checkpoint` is killed with SIGKILL at 20
/// seeded random moments (resuming from the checkpoint after each kill). After every kill
/// the checkpoint on disk is a complete safetensors file; at the end `--resume` finishes
/// the run, and its result is bit-identical to a run that was never interrupted.
///
/// The job is chosen so that writing the checkpoint (a 3 MB file, fsync'd) takes most of
/// each epoch: many kills land during a write, which the test sees as a temporary file
/// left beside the checkpoint (the next write removes it).
@Suite(.serialized) struct CrashSafetyTests {
    static let epochs = 600

    @Test func checkpointsSurviveSIGKILLAndResumeFinishesTheRun() throws {
        let dir = try ExampleRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try HostileFiles.writeIDX(in: dir + "/idx", damage: .none)
        let checkpoint = dir + "/run.ckpt"
        let common = ["--data", "idx:\(dir)/idx", "--epochs", "\(Self.epochs)", "--seed", "7", "--json"]

        var rng = SplitMix(seed: 2026)
        var killsDuringWrites = 0, lastEpoch = 0
        for kill in 1...20 {
            let resuming = FileManager.default.fileExists(atPath: checkpoint)
            let arguments = common + (resuming ? ["--resume", checkpoint] : ["--checkpoint", checkpoint])
            let delay = 0.08 + Double(rng.next() % 1000) / 1000 * 0.6   // 80...680 ms
            let ended = try Self.runAndKill(arguments, after: delay)
            if ended { break }   // the run finished before the kill: nothing left to interrupt
            let temporaries = try Self.temporaries(in: dir)
            if !temporaries.isEmpty { killsDuringWrites += 1 }
            if FileManager.default.fileExists(atPath: checkpoint) {
                let epoch = try Self.checkCompleteSafetensors(checkpoint)
                #expect(epoch >= lastEpoch, "kill \(kill): the checkpoint went back from epoch \(lastEpoch) to \(epoch)")
                lastEpoch = epoch
            }
        }
        #expect(lastEpoch > 0 && lastEpoch < Self.epochs, "the kills should land mid-run (last checkpoint at epoch \(lastEpoch))")
        #expect(killsDuringWrites >= 1, "no kill landed during a checkpoint write; the test did not test that")

        let resumed = try ExampleRunner.run("mnist-classifier", common + ["--resume", checkpoint], timeout: 300)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try Self.temporaries(in: dir).isEmpty, "stale temporary files stayed")
        let uninterrupted = try ExampleRunner.run("mnist-classifier", common, timeout: 300)
        #expect(uninterrupted.status == 0, "\(uninterrupted.stderr)")
        let summary = { (r: ExampleRunner.Result) in r.stdout.split(separator: "\n").last.map(String.init) ?? "" }
        // The summaries match except for the measured seconds.
        let strip = { (s: String) in s.replacingOccurrences(of: #""train_seconds": [0-9.e+-]+"#, with: "", options: .regularExpression) }
        #expect(strip(summary(resumed)) == strip(summary(uninterrupted)))
        #expect(summary(resumed).contains("\"epochs_run\": \(Self.epochs)"), "\(summary(resumed))")
        print("crash safety: 20 kills, \(killsDuringWrites) during checkpoint writes, last checkpoint at epoch \(lastEpoch) of \(Self.epochs)")
    }

    /// Starts `mnist-classifier`, sends SIGKILL after `delay` seconds; true when it ended first.
    static func runAndKill(_ arguments: [String], after delay: Double) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ExampleRunner.path(of: "mnist-classifier"))
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(delay)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        guard process.isRunning else {
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "the run failed before the kill: \(arguments)")
            return true
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return false
    }

    static func temporaries(in dir: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".run.ckpt.tmp-") }
    }

    /// Reads a safetensors file the way PyTorch's loader would (8-byte little-endian header
    /// length, JSON header, every tensor's byte range inside the data) and returns the
    /// checkpoint's `kiln.epoch` metadata.
    static func checkCompleteSafetensors(_ path: String) throws -> Int {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes.count > 8)
        let headerLength = bytes.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        #expect(headerLength > 0 && 8 + headerLength <= bytes.count)
        let header = try JSONSerialization.jsonObject(with: Data(bytes[8..<(8 + headerLength)])) as? [String: Any] ?? [:]
        let dataCount = bytes.count - 8 - headerLength
        var end = 0
        for (key, value) in header where key != "__metadata__" {
            let offsets = (value as? [String: Any])?["data_offsets"] as? [Int] ?? []
            #expect(offsets.count == 2 && offsets[0] <= offsets[1] && offsets[1] <= dataCount, "\(key): \(offsets)")
            end = max(end, offsets.last ?? 0)
        }
        #expect(end == dataCount, "the tensors cover \(end) of \(dataCount) data bytes")
        let metadata = header["__metadata__"] as? [String: String] ?? [:]
        return Int(metadata["kiln.epoch"] ?? "") ?? -1
    }
}

/// A tiny seeded generator for the kill times (SplitMix64).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
