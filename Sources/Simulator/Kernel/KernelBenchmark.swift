/// Throughput measurements of the event queue and the kernel, for a benchmark command to call.
///
/// Both use the classic *hold model*: keep `pending` events queued, and for each step pop the earliest and
/// push a successor a random 1…`maxIncrement` ms later, so the queue size stays constant. Wall time comes
/// from the standard library's `ContinuousClock`; the simulation itself never reads it.
public enum KernelBenchmark {
    /// One measurement.
    public struct Result: Sendable, Equatable {
        /// Events dispatched (each one pop plus one push).
        public var events: Int
        /// Wall-clock seconds spent in the timed loop.
        public var seconds: Double
        /// `events / seconds`.
        public var eventsPerSecond: Double
        /// A value derived from every dispatched event, so the work cannot be optimised away; equal for
        /// equal parameters.
        public var checksum: UInt64
    }

    /// Runs `events` hold-model steps through a bare `EventQueue` holding `pending` events.
    public static func queueHold(events: Int, pending: Int = 10_000, maxIncrement: Int64 = 1_000,
                                 seed: UInt64 = 1) -> Result {
        let pending = max(1, pending)
        var random = Xoshiro256StarStar(seed: seed)
        var queue = EventQueue(capacity: pending + 1)
        var seq: UInt64 = 0
        for index in 0..<pending {
            queue.push(SimEvent(time: random.uniform(0...maxIncrement), seq: seq, target: Int32(truncatingIfNeeded: index), kind: 0))
            seq &+= 1
        }
        var checksum: UInt64 = 0
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<max(0, events) {
            guard var event = queue.popMin() else { break }
            checksum = checksum &* 31 &+ UInt64(bitPattern: event.time) &+ UInt64(truncatingIfNeeded: event.target)
            event.time &+= random.uniform(1...maxIncrement)
            event.seq = seq
            seq &+= 1
            queue.push(event)
        }
        return result(events: max(0, events), elapsed: start.duration(to: clock.now), checksum: checksum)
    }

    /// Runs `events` hold-model steps through `Kernel.run`, each handler scheduling its successor.
    public static func kernelHold(events: Int, pending: Int = 10_000, maxIncrement: Int64 = 1_000,
                                  seed: UInt64 = 1) -> Result {
        let pending = max(1, pending)
        let total = max(0, events)
        var random = Xoshiro256StarStar(seed: seed)
        let kernel = Kernel(capacity: pending + 1)
        for index in 0..<pending {
            kernel.schedule(at: random.uniform(0...maxIncrement), target: Int32(truncatingIfNeeded: index), kind: 0)
        }
        var checksum: UInt64 = 0
        var remaining = total
        let clock = ContinuousClock()
        let start = clock.now
        if total > 0 { kernel.run { event in
            checksum = checksum &* 31 &+ UInt64(bitPattern: event.time) &+ UInt64(truncatingIfNeeded: event.target)
            remaining -= 1
            if remaining <= 0 {
                kernel.stop()
                return
            }
            kernel.schedule(after: random.uniform(1...maxIncrement), target: event.target, kind: event.kind, arg: event.arg)
        } }
        return result(events: total, elapsed: start.duration(to: clock.now), checksum: checksum)
    }

    private static func result(events: Int, elapsed: Duration, checksum: UInt64) -> Result {
        let parts = elapsed.components
        let seconds = Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
        return Result(events: events, seconds: seconds, eventsPerSecond: seconds > 0 ? Double(events) / seconds : 0,
                      checksum: checksum)
    }
}
