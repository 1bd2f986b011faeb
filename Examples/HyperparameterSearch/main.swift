// `hyperparameter-search`: the command lives in KilnCommands (HyperparameterSearchCommand), so a package of your own can
// register its components and run it too (README, "Plugins").
import KilnCommands

HyperparameterSearchCommand.main()
