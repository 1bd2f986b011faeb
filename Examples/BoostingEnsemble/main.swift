// `boosting-ensemble`: the command lives in KilnCommands (BoostingEnsembleCommand), so a package of your own can
// register its components and run it too (README, "Plugins").
import KilnCommands

BoostingEnsembleCommand.main()
