// `kiln-bench`: the command lives in KilnCommands (KilnBenchCommand), so a package of your own can
// register its components and run it too (README, "Plugins").
import KilnCommands

KilnBenchCommand.main()
