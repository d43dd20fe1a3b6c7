/// A min-priority queue of `SimEvent`s ordered by `(time, seq)`.
///
/// An implicit 4-ary heap over one contiguous array: pushing and popping allocate nothing once the array has
/// grown (see `reserveCapacity(_:)`), and the wider fan-out halves the tree height of a binary heap, which
/// pays off because the pop path (sift-down) dominates a simulation's queue work. Events with equal
/// `(time, seq)` pop in an unspecified order, so `seq` should be unique (the `Kernel` guarantees it).
public struct EventQueue: Sendable {
    @usableFromInline
    internal var heap: [SimEvent]

    /// An empty queue.
    @inlinable
    public init() { heap = [] }

    /// An empty queue with room for `capacity` events.
    @inlinable
    public init(capacity: Int) {
        heap = []
        heap.reserveCapacity(max(0, capacity))
    }

    /// Number of pending events.
    @inlinable
    public var count: Int { heap.count }

    /// Whether no event is pending.
    @inlinable
    public var isEmpty: Bool { heap.isEmpty }

    /// The next event to pop, without removing it.
    @inlinable
    public var peek: SimEvent? { heap.first }

    /// Grows the storage so that `capacity` events fit without reallocating.
    @inlinable
    public mutating func reserveCapacity(_ capacity: Int) {
        heap.reserveCapacity(max(0, capacity))
    }

    /// Removes every pending event, keeping the storage.
    @inlinable
    public mutating func removeAll() {
        heap.removeAll(keepingCapacity: true)
    }

    /// Adds an event. O(log₄ n).
    @inlinable
    public mutating func push(_ event: SimEvent) {
        heap.append(event)
        heap.withUnsafeMutableBufferPointer { buffer in
            // Move the hole up instead of swapping: one store per level.
            var index = buffer.count - 1
            while index > 0 {
                let parent = (index &- 1) &>> 2
                let parentEvent = buffer[parent]
                guard event.precedes(parentEvent) else { break }
                buffer[index] = parentEvent
                index = parent
            }
            buffer[index] = event
        }
    }

    /// Removes and returns the earliest event, or nil when the queue is empty. O(log₄ n).
    @inlinable
    public mutating func popMin() -> SimEvent? {
        guard let last = heap.popLast() else { return nil }
        if heap.isEmpty { return last }
        return heap.withUnsafeMutableBufferPointer { buffer in
            let top = buffer[0]
            let count = buffer.count
            // Sift the former last element down from the root, moving the hole.
            var index = 0
            while true {
                let first = (index &<< 2) &+ 1
                if first >= count { break }
                var best = first
                var bestEvent = buffer[first]
                let end = min(first &+ 4, count)
                var child = first &+ 1
                while child < end {
                    let candidate = buffer[child]
                    if candidate.precedes(bestEvent) {
                        best = child
                        bestEvent = candidate
                    }
                    child &+= 1
                }
                guard bestEvent.precedes(last) else { break }
                buffer[index] = bestEvent
                index = best
            }
            buffer[index] = last
            return top
        }
    }
}
