// `bagging-ensemble`: the command lives in KilnCommands (BaggingEnsembleCommand), so a package of your own can
// register its components and run it too (README, "Plugins").
import KilnCommands

BaggingEnsembleCommand.main()
