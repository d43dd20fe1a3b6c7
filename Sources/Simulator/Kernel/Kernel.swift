/// The discrete-event engine: a virtual clock in integer milliseconds and a queue of pending `SimEvent`s.
///
/// Modelled on swift-nio's `EmbeddedEventLoop`: events run in `(time, seq)` order, and time jumps straight to
/// the next event instead of passing. Handlers may schedule further events, including at `now`; those run in
/// the same `run` call after every event already scheduled for that millisecond. The kernel is confined to
/// one thread (it is deliberately not `Sendable`).
public final class Kernel {
    /// Current virtual time in milliseconds; starts at 0 and never goes backwards.
    public private(set) var now: Int64 = 0
    /// Number of events handed to a dispatcher over the kernel's lifetime.
    public private(set) var eventsDispatched: UInt64 = 0

    private var queue: EventQueue
    private var nextSeq: UInt64 = 0
    private var stopRequested = false
    private var running = false

    /// A kernel at time 0 with room for `capacity` pending events before the queue reallocates.
    public init(capacity: Int = 0) {
        queue = EventQueue(capacity: capacity)
    }

    /// Number of events scheduled but not yet dispatched.
    public var pendingCount: Int { queue.count }

    /// The time of the next pending event, or nil when nothing is pending.
    public var nextEventTime: Int64? { queue.peek?.time }

    /// Schedules an event at absolute time `time`.
    ///
    /// A time in the past is clamped to `now` rather than rejected: the event then runs after every event
    /// already scheduled for `now`, which keeps causality (nothing runs before its cause) without trapping.
    /// - Returns: the event as queued, with its effective time and sequence number.
    @discardableResult
    public func schedule(at time: Int64, target: Int32, kind: Int32, arg: Int64 = 0) -> SimEvent {
        let event = SimEvent(time: max(time, now), seq: nextSeq, target: target, kind: kind, arg: arg)
        nextSeq &+= 1
        queue.push(event)
        return event
    }

    /// Schedules an event `delay` milliseconds from now; a negative delay means now, and the sum saturates at
    /// `Int64.max` instead of overflowing.
    @discardableResult
    public func schedule(after delay: Int64, target: Int32, kind: Int32, arg: Int64 = 0) -> SimEvent {
        let (sum, overflow) = now.addingReportingOverflow(max(0, delay))
        return schedule(at: overflow ? Int64.max : sum, target: target, kind: kind, arg: arg)
    }

    /// Asks the current `run` to return after the event being dispatched; it returns `.stopped`.
    ///
    /// Outside a run this does nothing: each run starts with the request cleared.
    public func stop() {
        if running { stopRequested = true }
    }

    /// Drops every pending event; `now` and the counters stay.
    public func removeAllPending() {
        queue.removeAll()
    }

    /// Dispatches pending events in `(time, seq)` order, moving `now` to each event's time.
    ///
    /// - Parameters:
    ///   - limit: the last millisecond to run. Events at exactly `limit` run; when the next event is later,
    ///     `now` becomes `limit` (never moving backwards) and the event stays pending. Nil runs until idle.
    ///   - dispatch: called once per event; it may schedule events or call `stop()`.
    /// - Returns: why the run ended. When the queue empties, `now` stays at the last event's time even if a
    ///   limit was given, so an idle kernel reports when activity actually ended.
    @discardableResult
    public func run(until limit: Int64? = nil, _ dispatch: (SimEvent) -> Void) -> RunOutcome {
        guard !running else { return .alreadyRunning }
        running = true
        stopRequested = false
        defer { running = false }
        let horizon = limit ?? Int64.max
        while let next = queue.peek {
            if next.time > horizon {
                if horizon > now { now = horizon }
                return .reachedLimit
            }
            guard let event = queue.popMin() else { break }
            now = event.time
            eventsDispatched &+= 1
            dispatch(event)
            if stopRequested {
                stopRequested = false
                return .stopped
            }
        }
        return .idle
    }
}
