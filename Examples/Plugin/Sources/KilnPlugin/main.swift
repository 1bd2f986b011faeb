import KilnCommands

// Register this package's components, then run Kiln's command: every spec flag accepts
// them, unknown-name errors list them, checkpoints and --load rebuild them by name.
registerLion()
registerSparseInit()
MNISTClassifierCommand.main()
