import Foundation

/// The `simrun` command line.
enum Simrun {
    static let version = "0.1.0"

    static let usage = "USAGE: simrun <subcommand> [options]"
    static let help = """
        OVERVIEW: ProofLayer simulator: the agent-to-agent micro-task market over Lightning (L402).

        \(usage)

        SUBCOMMANDS:
          run         Run a scenario (also: simrun <scenario.json>): live transcript and reports.
          validate    Check scenario files without running them.
          sweep       Run a parameter sweep with Monte Carlo seeds on all cores: runs.csv, aggregate.csv, report.
          merge       Join the shard files of a sweep run as a cluster job array.
          serve       Serve the market API over HTTP (libmicrohttpd) until Ctrl-C.
          payout      Print how a budget splits between worker and platform.
          help        Show this help, or a subcommand's: simrun help serve.

        OPTIONS:
          -h, --help     Show this help.
          --version      Print the version.

        See 'simrun <subcommand> --help' for a subcommand's options.
        """

    static func main(_ args: [String]) -> Int32 {
        guard let first = args.first else {
            printError("no subcommand given", usage: usage)
            return 64
        }
        let rest = Array(args.dropFirst())
        let normalized = rest.map { $0 == "-h" ? "--help" : $0 }
        do {
            switch first {
            case "-h", "--help":
                print(help)
                return 0
            case "help":
                switch rest.first {
                case "run"?: print(RunCommand.help)
                case "validate"?: print(ValidateCommand.help)
                case "sweep"?: print(SweepCommand.help)
                case "merge"?: print(MergeCommand.help)
                case "serve"?: print(ServeCommand.help)
                case "payout"?: print(PayoutCommand.help)
                default: print(help)
                }
                return 0
            case "--version":
                print("simrun \(version)")
                return 0
            case "run":
                return try run(RunCommand.usage) { try RunCommand.run(normalized) }
            case "validate":
                return try run(ValidateCommand.usage) { try ValidateCommand.run(normalized) }
            case "sweep":
                return try run(SweepCommand.usage) { try SweepCommand.run(normalized) }
            case "merge":
                return try run(MergeCommand.usage) { try MergeCommand.run(normalized) }
            case _ where first.hasSuffix(".json"):
                return try run(RunCommand.usage) { try RunCommand.run(args.map { $0 == "-h" ? "--help" : $0 }) }
            case "serve":
                return try run(ServeCommand.usage) { try ServeCommand.run(normalized) }
            case "payout":
                return try run(PayoutCommand.usage) { try PayoutCommand.run(normalized) }
            default:
                printError("unknown subcommand '\(first)'", usage: usage + "\n\nSee 'simrun --help'.")
                return 64
            }
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            return 1
        }
    }

    private static func run(_ usage: String, _ body: () throws -> Int32) throws -> Int32 {
        do {
            return try body()
        } catch let error as UsageError {
            printError(error.message, usage: usage)
            return 64
        }
    }

    static func printError(_ message: String, usage: String) {
        FileHandle.standardError.write(Data("Error: \(message)\n\(usage)\n".utf8))
    }
}
