// `export-png`: the command lives in KilnCommands (ExportPNGCommand), so a package of your own can
// register its components and run it too (README, "Plugins").
import KilnCommands

ExportPNGCommand.main()
