// `optimizer-trajectories`: the command lives in KilnCommands (OptimizerTrajectoriesCommand), so a package of your own can
// register its components and run it too (README, "Plugins").
import KilnCommands

OptimizerTrajectoriesCommand.main()
