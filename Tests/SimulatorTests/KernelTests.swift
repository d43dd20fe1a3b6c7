import Testing
import Simulator

/// Runs the kernel to completion (or the limit) and records what was dispatched.
private func drain(_ kernel: Kernel, until limit: Int64? = nil) -> (RunOutcome, [SimEvent]) {
    var seen: [SimEvent] = []
    let outcome = kernel.run(until: limit) { seen.append($0) }
    return (outcome, seen)
}

@Suite("Kernel")
struct KernelTests {
    @Test func eventsRunByTimeThenInsertionOrder() {
        let kernel = Kernel()
        var random = Xoshiro256StarStar(seed: 7)
        var expected: [(time: Int64, index: Int64)] = []
        // 2,000 events over only 5 distinct times: most comparisons are ties broken by insertion order.
        for index in 0..<2_000 {
            let time = random.uniform(0...4) * 10
            kernel.schedule(at: time, target: 0, kind: 0, arg: Int64(index))
            expected.append((time, Int64(index)))
        }
        expected.sort { $0.time != $1.time ? $0.time < $1.time : $0.index < $1.index }
        let (outcome, seen) = drain(kernel)
        #expect(outcome == .idle)
        #expect(seen.map(\.arg) == expected.map(\.index))
        #expect(seen.map(\.time) == expected.map(\.time))
        #expect(kernel.eventsDispatched == 2_000)
    }

    @Test func eventsScheduledDuringDispatchKeepTimeAndInsertionOrder() {
        let kernel = Kernel()
        kernel.schedule(at: 10, target: 1, kind: 0, arg: 1)
        kernel.schedule(at: 10, target: 2, kind: 0, arg: 2)
        kernel.schedule(at: 20, target: 3, kind: 0, arg: 3)
        var order: [Int64] = []
        kernel.run { event in
            order.append(event.arg)
            if event.arg == 1 {
                // At `now`: after the already-queued event 2. At 15: before the queued event 3.
                kernel.schedule(at: kernel.now, target: 4, kind: 0, arg: 4)
                kernel.schedule(after: 5, target: 5, kind: 0, arg: 5)
            }
            if event.arg == 5 {
                #expect(kernel.now == 15)
                kernel.schedule(after: 0, target: 6, kind: 0, arg: 6)
            }
        }
        #expect(order == [1, 2, 4, 5, 6, 3])
        #expect(kernel.now == 20)
    }

    @Test func runUntilLimitLeavesLaterEventsPendingAndMovesNowToTheLimit() {
        let kernel = Kernel()
        for time: Int64 in [5, 10, 11, 30] { kernel.schedule(at: time, target: 0, kind: 0, arg: time) }
        let (outcome, seen) = drain(kernel, until: 10)
        #expect(outcome == .reachedLimit)
        #expect(seen.map(\.arg) == [5, 10]) // an event exactly at the limit runs
        #expect(kernel.now == 10)
        #expect(kernel.pendingCount == 2)
        #expect(kernel.nextEventTime == 11)

        let (second, rest) = drain(kernel, until: 25)
        #expect(second == .reachedLimit)
        #expect(rest.map(\.arg) == [11])
        #expect(kernel.now == 25) // time passes to the limit even though nothing ran at 25
        #expect(kernel.pendingCount == 1)
    }

    @Test func limitBeforeNowNeverMovesTimeBackwards() {
        let kernel = Kernel()
        kernel.schedule(at: 50, target: 0, kind: 0)
        kernel.schedule(at: 100, target: 0, kind: 0)
        _ = drain(kernel, until: 60)
        #expect(kernel.now == 60)
        let (outcome, seen) = drain(kernel, until: 40)
        #expect(outcome == .reachedLimit)
        #expect(seen.isEmpty)
        #expect(kernel.now == 60)
    }

    @Test func runReturnsIdleWhenTheQueueEmptiesAndKeepsTheLastEventTime() {
        let kernel = Kernel()
        #expect(kernel.run { _ in } == .idle)
        #expect(kernel.now == 0)
        kernel.schedule(at: 42, target: 0, kind: 0)
        let (outcome, seen) = drain(kernel, until: 1_000)
        #expect(outcome == .idle)
        #expect(seen.count == 1)
        #expect(kernel.now == 42)
        #expect(kernel.pendingCount == 0)
        #expect(kernel.nextEventTime == nil)
    }

    @Test func stopFromAHandlerEndsTheRunAfterThatEvent() {
        let kernel = Kernel()
        for time: Int64 in 1...5 { kernel.schedule(at: time, target: 0, kind: 0, arg: time) }
        var seen: [Int64] = []
        let outcome = kernel.run { event in
            seen.append(event.arg)
            if event.arg == 3 { kernel.stop() }
        }
        #expect(outcome == .stopped)
        #expect(seen == [1, 2, 3])
        #expect(kernel.now == 3)
        #expect(kernel.pendingCount == 2)
        #expect(kernel.eventsDispatched == 3)
        // The next run starts fresh and picks up where the last one stopped.
        let (resumed, rest) = drain(kernel)
        #expect(resumed == .idle)
        #expect(rest.map(\.arg) == [4, 5])
    }

    @Test func stopOutsideARunIsIgnored() {
        let kernel = Kernel()
        kernel.stop()
        kernel.schedule(at: 1, target: 0, kind: 0)
        kernel.schedule(at: 2, target: 0, kind: 0)
        let (outcome, seen) = drain(kernel)
        #expect(outcome == .idle)
        #expect(seen.count == 2)
    }

    @Test func pastTimesAreClampedToNowAndRunAfterEventsAlreadyDueNow() {
        let kernel = Kernel()
        kernel.schedule(at: 100, target: 0, kind: 0, arg: 1)
        _ = drain(kernel)
        #expect(kernel.now == 100)
        kernel.schedule(at: 100, target: 0, kind: 0, arg: 2)
        let past = kernel.schedule(at: 3, target: 0, kind: 0, arg: 3)
        let negativeDelay = kernel.schedule(after: -50, target: 0, kind: 0, arg: 4)
        #expect(past.time == 100)
        #expect(negativeDelay.time == 100)
        let (_, seen) = drain(kernel)
        #expect(seen.map(\.arg) == [2, 3, 4])
        #expect(kernel.now == 100)
    }

    @Test func delaysSaturateInsteadOfOverflowing() {
        let kernel = Kernel()
        kernel.schedule(at: 10, target: 0, kind: 0)
        _ = drain(kernel)
        let far = kernel.schedule(after: Int64.max, target: 0, kind: 0)
        #expect(far.time == Int64.max)
        let (outcome, _) = drain(kernel, until: 1_000)
        #expect(outcome == .reachedLimit)
        #expect(kernel.pendingCount == 1)
    }

    @Test func sequenceNumbersAreAssignedInScheduleOrder() {
        let kernel = Kernel()
        let a = kernel.schedule(at: 9, target: 1, kind: 2, arg: 3)
        let b = kernel.schedule(at: 1, target: 4, kind: 5, arg: 6)
        #expect(a == SimEvent(time: 9, seq: 0, target: 1, kind: 2, arg: 3))
        #expect(b == SimEvent(time: 1, seq: 1, target: 4, kind: 5, arg: 6))
    }

    @Test func runFromInsideADispatchIsRefused() {
        let kernel = Kernel()
        kernel.schedule(at: 1, target: 0, kind: 0)
        kernel.schedule(at: 2, target: 0, kind: 0)
        var nested: RunOutcome?
        var count = 0
        kernel.run { _ in
            count += 1
            if nested == nil { nested = kernel.run { _ in count += 100 } }
        }
        #expect(nested == .alreadyRunning)
        #expect(count == 2)
    }

    @Test func queuePopsInTimeThenSeqOrderUnderARandomWorkload() {
        // 50,000 seeded random pushes and pops checked against a sorted array.
        var random = Xoshiro256StarStar(seed: 2_024)
        var queue = EventQueue()
        var reference: [SimEvent] = [] // sorted descending, so the minimum is last
        var seq: UInt64 = 0
        func before(_ a: SimEvent, _ b: SimEvent) -> Bool { a.time != b.time ? a.time < b.time : a.seq < b.seq }
        for _ in 0..<50_000 {
            if reference.isEmpty || random.bernoulli(0.55) {
                let event = SimEvent(time: random.uniform(0...500), seq: seq, target: 0, kind: 0)
                seq += 1
                queue.push(event)
                var low = 0, high = reference.count
                while low < high {
                    let mid = (low + high) / 2
                    if before(reference[mid], event) { high = mid } else { low = mid + 1 }
                }
                reference.insert(event, at: low)
            } else {
                let popped = queue.popMin()
                let wanted = reference.removeLast()
                if popped != wanted {
                    Issue.record("popped \(String(describing: popped)), expected \(wanted)")
                    return
                }
            }
            if queue.count != reference.count || queue.peek != reference.last {
                Issue.record("count \(queue.count) vs \(reference.count), peek \(String(describing: queue.peek))")
                return
            }
        }
        while let wanted = reference.popLast() {
            #expect(queue.popMin() == wanted)
        }
        #expect(queue.isEmpty)
        #expect(queue.popMin() == nil)
    }

    @Test func kernelDispatchMatchesTheBareQueueInTheHoldBenchmark() {
        let queue = KernelBenchmark.queueHold(events: 20_000, pending: 500, seed: 3)
        let kernel = KernelBenchmark.kernelHold(events: 20_000, pending: 500, seed: 3)
        #expect(queue.checksum == kernel.checksum)
        #expect(queue.events == 20_000)
        #expect(KernelBenchmark.kernelHold(events: 0, pending: 10).events == 0)
    }
}
