// `kiln-model`: the command lives in KilnCommands (KilnModelCommand), so a package of your own can
// register its components and run it too (README, "Plugins").
import KilnCommands

KilnModelCommand.main()
