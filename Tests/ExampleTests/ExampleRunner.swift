import Foundation
import Testing

/// Runs the built example executables. The binaries come from `KILN_RELEASE_BIN` (set by
/// scripts/test.sh after a release build: training examples are slow in debug builds),
/// else from the debug build folder next to the test bundle.
struct ExampleRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var binDirectory: String {
        if let dir = ProcessInfo.processInfo.environment["KILN_RELEASE_BIN"], !dir.isEmpty { return dir }
        // The test bundle lives in .build/<triple>/debug; the executables sit beside it.
        return Bundle.main.bundleURL.path
    }

    static func path(of name: String) -> String { binDirectory + "/" + name }

    static func exists(_ name: String) -> Bool { FileManager.default.isExecutableFile(atPath: path(of: name)) }

    /// Runs `name` with `arguments`, waiting at most `timeout` seconds (then kills it and
    /// reports status -9, so a hang fails the test instead of blocking the suite).
    /// `launcher` runs the example through another program (`["/usr/bin/taskset", "-c", "0"]`).
    static func run(_ name: String, _ arguments: [String], timeout: TimeInterval = 120,
                    directory: String? = nil, launcher: [String] = []) throws -> Result {
        let process = Process()
        if let program = launcher.first {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = Array(launcher.dropFirst()) + [path(of: name)] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: path(of: name))
            process.arguments = arguments
        }
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Drain both pipes concurrently so a chatty program cannot block on a full pipe.
        let outBox = DataBox(), errBox = DataBox()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { outBox.data = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errBox.data = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        var status: Int32
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            status = -9
        } else {
            process.waitUntilExit()
            status = process.terminationStatus
            if process.terminationReason == .uncaughtSignal { status = -status }
        }
        group.wait()
        return Result(status: status, stdout: String(decoding: outBox.data, as: UTF8.self), stderr: String(decoding: errBox.data, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> String {
        let dir = NSTemporaryDirectory() + "kiln-example-\(UInt64.random(in: 0...UInt64.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }
}

/// Holds one pipe's output; written by one reader thread, read after `group.wait()`.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
