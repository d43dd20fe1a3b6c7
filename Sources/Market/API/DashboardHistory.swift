import JSON
import Lightning
import Synchronization

/// Periodic snapshots of the market's figures, kept in memory for the dashboard's charts of fees and
/// reputation over time. At most one snapshot per `interval` of market time; when full, every other snapshot
/// is dropped and the interval doubles, so the history always spans the whole run in bounded memory.
public final class DashboardHistory: Sendable {
    /// The figures the charts draw, at one instant of market time.
    public struct Snapshot: Sendable, Equatable {
        public var at: Instant
        public var volumeMsat: Int64
        public var platformFeesMsat: Int64
        public var workerEarningsMsat: Int64
        public var open: Int64
        public var completed: Int64
        public var workers: Int64
        public var meanReputation: Double
        public var maxReputation: Int64
        public var workersAboveThreshold: Int64
    }

    private struct State {
        var snapshots: [Snapshot] = []
        var intervalMs: Int64
    }

    private let state: Mutex<State>
    /// The most snapshots kept.
    public let capacity: Int

    /// A history sampling at most every `intervalMs` of market time, keeping up to `capacity` (at least 4) snapshots.
    public init(intervalMs: Int64 = 5_000, capacity: Int = 240) {
        state = Mutex(State(intervalMs: max(1, intervalMs)))
        self.capacity = max(4, capacity)
    }

    /// Whether a snapshot taken at `instant` would be kept.
    public func isDue(at instant: Instant) -> Bool {
        state.withLock { s in
            guard let last = s.snapshots.last else { return true }
            return instant.milliseconds >= last.at.milliseconds + s.intervalMs
        }
    }

    /// Keeps a snapshot of `figures` at `instant` when one is due.
    public func record(_ figures: MarketFigures, at instant: Instant) {
        let l = figures.ledger
        let snapshot = Snapshot(at: instant, volumeMsat: figures.volume.rawValue,
                                platformFeesMsat: (l.platformFeesNet + l.routingFees).rawValue,
                                workerEarningsMsat: l.settledPayouts.rawValue,
                                open: figures.tasksByStatus[.open] ?? 0, completed: figures.tasksByStatus[.completed] ?? 0,
                                workers: figures.workers, meanReputation: figures.meanReputation,
                                maxReputation: figures.maxReputation, workersAboveThreshold: figures.workersAboveThreshold)
        state.withLock { s in
            if let last = s.snapshots.last, instant.milliseconds < last.at.milliseconds + s.intervalMs { return }
            s.snapshots.append(snapshot)
            if s.snapshots.count > capacity {
                let last = s.snapshots.count - 1
                s.snapshots = s.snapshots.enumerated().filter { $0.offset % 2 == 0 || $0.offset == last }.map(\.element)
                s.intervalMs *= 2
            }
        }
    }

    /// The snapshots, oldest first.
    public var snapshots: [Snapshot] { state.withLock { $0.snapshots } }

    /// The snapshots as the `history` array of `GET /api/market`.
    public func json() -> JSONValue {
        .array(snapshots.map { s in
            [
                "at": .string(s.at.iso8601),
                "volume_msat": .int(s.volumeMsat),
                "platform_fees_msat": .int(s.platformFeesMsat),
                "worker_earnings_msat": .int(s.workerEarningsMsat),
                "open_tasks": .int(s.open),
                "completed_tasks": .int(s.completed),
                "workers": .int(s.workers),
                "mean_reputation": .double(s.meanReputation),
                "max_reputation": .int(s.maxReputation),
                "workers_above_threshold": .int(s.workersAboveThreshold),
            ]
        })
    }
}

extension MarketRouter {
    /// Takes a history snapshot if one is due at the market's now; `simrun serve` calls this on a timer so the
    /// charts fill in even while nobody watches. Failures to read the figures are skipped (the next tick retries).
    public func sampleHistory() {
        let now = service.clock.now()
        guard history.isDue(at: now), let figures = try? MarketFigures.compute(service, topCount: 0, eventCount: 0) else { return }
        history.record(figures, at: now)
    }
}
