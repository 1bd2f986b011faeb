// `regularization-comparison`: the command lives in KilnCommands (RegularizationComparisonCommand), so a package of your own can
// register its components and run it too (README, "Plugins").
import KilnCommands

RegularizationComparisonCommand.main()
