import ArgumentParser
import Foundation

/// Runs an example command with Kiln's error contract: `--help` prints to standard output
/// and exits 0; a usage error (bad flag, malformed spec, unknown name, out-of-range value)
/// prints one line to standard error and exits 64; any other error prints one line and
/// exits 1. Never a Swift trap for bad input.
public enum CommandMain {
    public static func run<C: ParsableCommand>(_ type: C.Type, arguments: [String]? = nil) -> Never {
        do {
            var command = try C.parseAsRoot(arguments)
            try command.run()
            exit(0)
        } catch {
            exitForError(C.self, error)
        }
    }

    /// Ends the process for an error that `run` threw (or parsing found), by the contract.
    static func exitForError<C: ParsableCommand>(_ type: C.Type, _ error: Error) -> Never {
        // A command that throws an ExitCode has said what it had to (gradient-check's
        // failing rows): end with that status and no further line.
        if let status = error as? ExitCode, status != .validationFailure {
            if let world, world.size > 1, status.rawValue != 0 { world.abort(exitCode: status.rawValue) }
            Foundation.exit(status.rawValue)
        }
        let code = C.exitCode(for: error)
        if code == .success {
            // --help, --version: the full text to standard output.
            print(C.fullMessage(for: error))
            Foundation.exit(0)
        }
        let name = C.configuration.commandName ?? "\(C.self)"
        let message = C.message(for: error)
            .split(separator: "\n", omittingEmptySubsequences: true)
            .first.map(String.init) ?? "\(error)"
        let status = code.rawValue == 0 ? 1 : code.rawValue
        // Under an MPI launch every rank parses the same flags: a usage error is printed
        // by rank 0 alone; other errors may be one rank's own, so they name the rank.
        let rank = world?.rank ?? launcherRank ?? 0
        if rank == 0 {
            FileHandle.standardError.write(Data("\(name): error: \(message)\n".utf8))
        } else if status != ExitCode.validationFailure.rawValue {
            FileHandle.standardError.write(Data("\(name): error: rank \(rank): \(message)\n".utf8))
        }
        if let world, world.size > 1 { world.abort(exitCode: status) }
        Foundation.exit(status)
    }
}

/// A usage error (exit status 64) built from any error's one-line description.
public func usageError(_ flag: String, _ error: Error) -> ValidationError {
    ValidationError("\(flag): \(error)")
}

/// A runtime error (exit status 1) with a message.
public struct ExampleError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Prints to standard error.
public func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
