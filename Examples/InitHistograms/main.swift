// `init-histograms`: the command lives in KilnCommands (InitHistogramsCommand), so a package of your own can
// register its components and run it too (README, "Plugins").
import KilnCommands

InitHistogramsCommand.main()
