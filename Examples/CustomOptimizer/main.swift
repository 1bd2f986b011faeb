// `custom-optimizer`: the command lives in KilnCommands (CustomOptimizerCommand), so a package of your own can
// register its components and run it too (README, "Plugins").
import KilnCommands

CustomOptimizerCommand.main()
