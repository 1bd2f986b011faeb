// `gradient-check`: the command lives in KilnCommands (GradientCheckCommand), so a package of your own can
// register its components and run it too (README, "Plugins").
import KilnCommands

GradientCheckCommand.main()
