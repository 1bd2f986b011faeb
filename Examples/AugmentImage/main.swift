// `augment-image`: the command lives in KilnCommands (AugmentImageCommand), so a package of your own can
// register its components and run it too (README, "Plugins").
import KilnCommands

AugmentImageCommand.main()
