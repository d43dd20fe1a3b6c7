import Foundation
import JSON

/// `simrun merge`: joins the runs files of a sweep's shards into the files of a whole sweep.
public enum SweepMerge {
    /// What a merge did.
    public struct Outcome: Sendable {
        /// The sweep the shards belong to.
        public var plan: SweepPlan
        /// The shard files read.
        public var inputs: [String]
        /// The files written.
        public var files: [String]
    }

    /// Reads every shard file (`runs-shard-I-of-N.csv`, directories are searched for them), checks that they come
    /// from one sweep (same scenario hash and seeds, next to their `sweep-shard-I-of-N.json`), that no run appears
    /// twice and none is missing, and writes runs.csv, aggregate.csv and the reports into `outputDirectory`.
    public static func merge(_ inputs: [String], outputDirectory: String) throws(SweepError) -> Outcome {
        let files = try shardFiles(inputs)
        guard !files.isEmpty else { throw SweepError(["no shard files given (runs-shard-I-of-N.csv, or directories holding them)"]) }

        var plan: SweepPlan?
        var first = ""
        var owner: [Int: String] = [:]
        var rows: [SweepRow] = []
        var problems: [String] = []
        var shardsSeen: [SweepShard] = []
        for file in files {
            let name = (file as NSString).lastPathComponent
            let directory = (file as NSString).deletingLastPathComponent
            guard let shard = SweepFiles.shard(ofRunsFile: name) else {
                problems.append("\(file): not a shard file (expected runs-shard-I-of-N.csv)")
                continue
            }
            let manifestPath = SweepFiles.join(directory.isEmpty ? "." : directory, SweepFiles.manifest(shard))
            guard let manifestText = try SweepFiles.readText(manifestPath) else {
                problems.append("\(file): its manifest \(manifestPath) is missing")
                continue
            }
            let manifest: JSONValue
            do { manifest = try JSONValue.parse(manifestText) } catch {
                problems.append("\(manifestPath): invalid JSON: \(error)")
                continue
            }
            let (shardPlan, recorded) = try SweepFiles.plan(fromManifest: manifest, source: manifestPath)
            guard recorded == shard else {
                problems.append("\(manifestPath): records shard \(recorded.map(\.description) ?? "none"), but the file name says \(shard)")
                continue
            }
            if let plan {
                guard plan.scenarioHash == shardPlan.scenarioHash, plan.seeds == shardPlan.seeds else {
                    problems.append("\(file) is from another sweep than \(first): scenario hash \(shardPlan.scenarioHash) with \(shardPlan.seeds) seeds, against \(plan.scenarioHash) with \(plan.seeds) seeds")
                    continue
                }
            } else {
                plan = shardPlan
                first = file
            }
            shardsSeen.append(shard)
            guard let text = try SweepFiles.readText(file) else {
                problems.append("\(file): cannot be read")
                continue
            }
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if let last = lines.popLast(), !last.isEmpty {
                problems.append("\(file):\(lines.count + 1): the last line is cut short (the shard did not finish: rerun it with --resume)")
            }
            guard lines.first == SweepTable.headerLine(shardPlan) else {
                problems.append("\(file):1: the columns are not this sweep's")
                continue
            }
            for (offset, line) in lines.enumerated().dropFirst() {
                switch SweepTable.parse(line, plan: shardPlan) {
                case .failure(let error):
                    problems.append("\(file):\(offset + 1): \(error)")
                case .success(let row):
                    if !shard.contains(row.run) {
                        problems.append("\(file):\(offset + 1): run \(row.run) (point \(row.point), replicate \(row.replicate)) does not belong to shard \(shard)")
                    } else if let earlier = owner[row.run] {
                        problems.append("\(file):\(offset + 1): run \(row.run) (point \(row.point), replicate \(row.replicate)) is a duplicate (also in \(earlier))")
                    } else {
                        owner[row.run] = "\(file):\(offset + 1)"
                        rows.append(row)
                    }
                }
            }
        }
        guard let plan else { throw SweepError(problems.isEmpty ? ["no usable shard files"] : problems) }
        let missing = (0..<plan.runCount).filter { owner[$0] == nil }
        if !missing.isEmpty {
            var message = "missing \(missing.count) of \(plan.runCount) runs: \(ranges(missing))"
            if let count = shardsSeen.first?.count, shardsSeen.allSatisfy({ $0.count == count }) {
                let absent = (0..<count).filter { i in !shardsSeen.contains { $0.index == i } }
                if !absent.isEmpty {
                    let listed = absent.prefix(10).map { "\($0)/\(count)" }.joined(separator: ", ")
                    message += " (shards not given: " + listed + (absent.count > 10 ? ", ... \(absent.count) in all" : "") + ")"
                }
            }
            problems.append(message)
        }
        guard problems.isEmpty else { throw SweepError(problems) }
        do {
            try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
        } catch {
            throw SweepError(["cannot create \(outputDirectory): \(error.localizedDescription)"])
        }
        let written = try SweepOutput.write(plan, rows: rows, directory: outputDirectory)
        return Outcome(plan: plan, inputs: files, files: written)
    }

    /// The shard files named by `inputs`: files as given, directories searched for `runs-shard-*-of-*.csv`.
    static func shardFiles(_ inputs: [String]) throws(SweepError) -> [String] {
        var files: [String] = []
        for input in inputs {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
                throw SweepError(["\(input): no such file or directory"])
            }
            if isDirectory.boolValue {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? [])
                    .filter { SweepFiles.shard(ofRunsFile: $0) != nil }.sorted()
                guard !names.isEmpty else { throw SweepError(["\(input): holds no runs-shard-I-of-N.csv file"]) }
                files += names.map { SweepFiles.join(input, $0) }
            } else {
                files.append(input)
            }
        }
        return files
    }

    /// `3, 5-9, 12` (at most ten ranges, then `...`).
    static func ranges(_ sorted: [Int]) -> String {
        var parts: [String] = []
        var start = sorted.first ?? 0
        var previous = start
        for value in sorted.dropFirst() + [Int.min] {
            if value == previous + 1 { previous = value; continue }
            parts.append(start == previous ? "run \(start)" : "runs \(start)-\(previous)")
            start = value
            previous = value
        }
        return parts.count > 10 ? parts.prefix(10).joined(separator: ", ") + ", ..." : parts.joined(separator: ", ")
    }
}
