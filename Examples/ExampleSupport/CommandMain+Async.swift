import ArgumentParser
import Foundation

extension CommandMain {
    /// ``run(_:arguments:)`` for commands whose `run()` is async (trials in a task group):
    /// the same error contract, `--help` to standard output with exit 0, usage errors one
    /// stderr line with exit 64, other errors one line with exit 1.
    public static func runAsync<C: AsyncParsableCommand>(_ type: C.Type, arguments: [String]? = nil) async -> Never {
        do {
            var command = try C.parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            exit(0)
        } catch {
            exitForError(C.self, error)
        }
    }

    /// ``runAsync(_:arguments:)`` from synchronous code (a command's `main()`): starts it in
    /// a task and parks the main thread; the command ends the process itself. So an async
    /// command's `static func main()` is a plain synchronous call, which a user's package
    /// (and the one-line executables) call like any other command's.
    public static func startAsync<C: AsyncParsableCommand>(_ type: C.Type) -> Never {
        Task { await runAsync(type) }
        dispatchMain()
    }
}
