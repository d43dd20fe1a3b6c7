/// One scheduled action in virtual time: who acts (`target`), what it does (`kind`) and a payload (`arg`).
///
/// Events order by `(time, seq)`; `seq` is the kernel's schedule counter, so events at the same millisecond
/// run in the order they were scheduled.
public struct SimEvent: Sendable, Equatable {
    /// Virtual time in integer milliseconds.
    public var time: Int64
    /// Tie-breaker assigned at schedule time; unique per kernel.
    public var seq: UInt64
    /// Agent index that receives the event.
    public var target: Int32
    /// Action code, interpreted by the dispatcher.
    public var kind: Int32
    /// Payload, e.g. a task index.
    public var arg: Int64

    /// Creates an event; the kernel normally fills `time` and `seq`.
    @inlinable
    public init(time: Int64, seq: UInt64, target: Int32, kind: Int32, arg: Int64 = 0) {
        self.time = time
        self.seq = seq
        self.target = target
        self.kind = kind
        self.arg = arg
    }

    /// Whether `self` runs strictly before `other`: earlier time, then lower sequence number.
    @inlinable @inline(__always)
    public func precedes(_ other: SimEvent) -> Bool {
        time < other.time || (time == other.time && seq < other.seq)
    }
}
