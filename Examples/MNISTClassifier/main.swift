// `mnist-classifier`: the command lives in KilnCommands (MNISTClassifierCommand), so a package of your own can
// register its components and run it too (README, "Plugins").
import KilnCommands

MNISTClassifierCommand.main()
