import Market

/// A URL a research agent asks about, with the right answer ("yes" when it is live).
public struct VerifyTarget: Sendable, Equatable {
    public var url: String
    public var live: Bool
    public init(url: String, live: Bool) { self.url = url; self.live = live }
}

/// A question of the scenario's bank, with its ground truth.
public struct QuestionItem: Sendable, Equatable {
    public var id: String
    public var question: String
    public var answer: String
    public var choices: [String]
    /// 0 (easy) to 1 (hard): lowers a resolver's chance of being right.
    public var difficulty: Double
    public var taskType: TaskType

    public init(id: String, question: String, answer: String, choices: [String], difficulty: Double, taskType: TaskType) {
        self.id = id; self.question = question; self.answer = answer; self.choices = choices
        self.difficulty = difficulty; self.taskType = taskType
    }
}

/// What requesters can ask and resolvers can know: the web targets and the question bank.
public struct TaskCatalog: Sendable {
    public let verifyTargets: [VerifyTarget]
    public let questions: [QuestionItem]
    private let byID: [String: Int]
    private let byType: [TaskType: [Int]]

    public init(verifyTargets: [VerifyTarget], questions: [QuestionItem]) {
        self.verifyTargets = verifyTargets
        self.questions = questions
        var byID: [String: Int] = [:]
        var byType: [TaskType: [Int]] = [:]
        for (i, q) in questions.enumerated() {
            byID[q.id] = i
            byType[q.taskType, default: []].append(i)
        }
        self.byID = byID
        self.byType = byType
    }

    /// The question with `id`.
    public func question(id: String) -> QuestionItem? { byID[id].map { questions[$0] } }

    /// Questions for a task type; falls back to the whole bank when none is typed so.
    public func questions(for type: TaskType) -> [Int] {
        if let list = byType[type], !list.isEmpty { return list }
        return Array(questions.indices)
    }
}
