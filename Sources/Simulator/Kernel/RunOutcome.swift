/// Why `Kernel.run(until:_:)` returned.
public enum RunOutcome: Sendable, Equatable {
    /// The queue ran empty; `now` is the time of the last dispatched event.
    case idle
    /// The next pending event lies after the limit; `now` was advanced to the limit.
    case reachedLimit
    /// A handler called `Kernel.stop()`; `now` is the time of the event that asked.
    case stopped
    /// `run` was called from inside a dispatch of the same kernel; nothing was dispatched.
    case alreadyRunning
}
