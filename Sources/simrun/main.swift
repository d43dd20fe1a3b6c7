import Foundation

/// Entry point: dispatches to the subcommands; usage errors exit 64, runtime failures 1.
let status = Simrun.main(Array(CommandLine.arguments.dropFirst()))
exit(status)
