/// The market's schema, as ordered migrations. Constraints make the worst mistakes impossible even if code is
/// wrong: one payout per task, payout amounts that always add up to the budget and never change, one task per
/// L402 token, scores that never go negative.
enum MarketSchema {
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1-workers-tasks-payouts", sql: """
            CREATE TABLE workers (
                id TEXT NOT NULL PRIMARY KEY,
                display_name TEXT NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
                lightning_address TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('human', 'ai', 'hybrid')),
                reputation_score INTEGER NOT NULL DEFAULT 0 CHECK (reputation_score >= 0),
                completed_jobs INTEGER NOT NULL DEFAULT 0 CHECK (completed_jobs >= 0),
                abandoned_claims INTEGER NOT NULL DEFAULT 0,
                rejected_submissions INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL
            );
            CREATE TABLE tasks (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                task_type TEXT NOT NULL CHECK (task_type IN ('verify', 'answer', 'judge', 'unblock', 'delegate')),
                title TEXT NOT NULL,
                input_json TEXT NOT NULL,
                budget_msat INTEGER NOT NULL CHECK (budget_msat > 0),
                worker_type TEXT NOT NULL CHECK (worker_type IN ('human', 'ai', 'hybrid', 'any')),
                trust_mode TEXT NOT NULL CHECK (trust_mode IN ('proof_required', 'auto', 'review')),
                status TEXT NOT NULL CHECK (status IN ('open', 'claimed', 'submitted', 'completed', 'expired')),
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                payment_method TEXT NOT NULL CHECK (payment_method IN ('l402', 'sim_token')),
                payment_hash TEXT UNIQUE,
                claimed_by TEXT REFERENCES workers(id),
                claimed_at INTEGER,
                lease_expires_at INTEGER,
                sub_worker_id TEXT REFERENCES workers(id),
                sub_answer_json TEXT,
                sub_confidence REAL CHECK (sub_confidence IS NULL OR (sub_confidence >= 0 AND sub_confidence <= 1)),
                sub_proof_url TEXT,
                sub_submitted_at INTEGER,
                release_due_at INTEGER,
                completed_at INTEGER,
                expired_at INTEGER,
                reopen_count INTEGER NOT NULL DEFAULT 0,
                CHECK (status != 'claimed' OR claimed_by IS NOT NULL),
                CHECK (status != 'submitted' OR sub_worker_id IS NOT NULL)
            );
            CREATE INDEX tasks_feed ON tasks (status, seq);
            CREATE INDEX tasks_lease ON tasks (lease_expires_at) WHERE status = 'claimed';
            CREATE INDEX tasks_ttl ON tasks (expires_at) WHERE status = 'open';
            CREATE INDEX tasks_release ON tasks (release_due_at) WHERE status = 'submitted';

            CREATE TABLE payouts (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT NOT NULL UNIQUE,
                task_id TEXT NOT NULL UNIQUE REFERENCES tasks(id),
                worker_id TEXT NOT NULL REFERENCES workers(id),
                lightning_address TEXT NOT NULL,
                budget_msat INTEGER NOT NULL CHECK (budget_msat > 0),
                amount_msat INTEGER NOT NULL CHECK (amount_msat >= 0 AND amount_msat <= budget_msat),
                platform_fee_msat INTEGER NOT NULL CHECK (platform_fee_msat >= 0),
                bonus_applied INTEGER NOT NULL CHECK (bonus_applied IN (0, 1)),
                multiplier_ppm INTEGER NOT NULL,
                score_before INTEGER NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('pending', 'settled', 'failed')),
                invoice TEXT,
                payment_hash TEXT UNIQUE,
                preimage TEXT,
                routing_fee_msat INTEGER NOT NULL DEFAULT 0 CHECK (routing_fee_msat >= 0),
                attempts INTEGER NOT NULL DEFAULT 0,
                created_at INTEGER NOT NULL,
                settled_at INTEGER,
                failure_reason TEXT,
                next_attempt_at INTEGER,
                CHECK (amount_msat + platform_fee_msat = budget_msat),
                CHECK (status != 'settled' OR preimage IS NOT NULL OR amount_msat = 0)
            );
            CREATE INDEX payouts_worker ON payouts (worker_id, seq);
            CREATE INDEX payouts_retry ON payouts (next_attempt_at) WHERE status != 'settled';
            CREATE TRIGGER payouts_amounts_are_final BEFORE UPDATE OF task_id, worker_id, budget_msat, amount_msat, platform_fee_msat ON payouts
            BEGIN SELECT RAISE(ABORT, 'payout amounts are final once recorded'); END;
            CREATE TRIGGER payouts_settled_is_final BEFORE UPDATE OF status ON payouts WHEN OLD.status = 'settled'
            BEGIN SELECT RAISE(ABORT, 'a settled payout cannot change status'); END;
            CREATE TRIGGER payouts_never_deleted BEFORE DELETE ON payouts
            BEGIN SELECT RAISE(ABORT, 'payouts are never deleted'); END;

            CREATE TABLE l402_tokens (
                payment_hash TEXT NOT NULL PRIMARY KEY,
                token_id TEXT NOT NULL,
                budget_msat INTEGER NOT NULL CHECK (budget_msat > 0),
                invoice TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                expires_at INTEGER NOT NULL,
                task_id TEXT UNIQUE REFERENCES tasks(id),
                request_fingerprint TEXT
            );

            CREATE TABLE refunds (
                task_id TEXT NOT NULL PRIMARY KEY REFERENCES tasks(id),
                amount_msat INTEGER NOT NULL CHECK (amount_msat > 0),
                status TEXT NOT NULL CHECK (status IN ('credited', 'settled', 'failed')),
                payment_hash TEXT,
                created_at INTEGER NOT NULL
            );

            CREATE TABLE market_events (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                at INTEGER NOT NULL,
                kind TEXT NOT NULL,
                task_id TEXT,
                worker_id TEXT,
                amount_msat INTEGER,
                detail TEXT NOT NULL DEFAULT ''
            );
            """)
        m.registerMigration("v2-secrets", sql: """
            CREATE TABLE market_secrets (
                name TEXT NOT NULL PRIMARY KEY,
                value TEXT NOT NULL
            );
            """)
        // The due-work queries ask for the earliest deadline of one status; partial indexes on exactly that status
        // (with seq for the tie-break) make them index searches instead of scans that grow with history.
        m.registerMigration("v3-due-indexes", sql: """
            DROP INDEX IF EXISTS payouts_retry;
            DROP INDEX IF EXISTS tasks_lease;
            DROP INDEX IF EXISTS tasks_ttl;
            DROP INDEX IF EXISTS tasks_release;
            CREATE INDEX payouts_due ON payouts (next_attempt_at, seq) WHERE status = 'pending';
            CREATE INDEX tasks_lease_due ON tasks (lease_expires_at, seq) WHERE status = 'claimed';
            CREATE INDEX tasks_ttl_due ON tasks (expires_at, seq) WHERE status = 'open';
            CREATE INDEX tasks_release_due ON tasks (release_due_at, seq) WHERE status = 'submitted';
            """)
        // Refunds are paid to the requester's Lightning address when it gave one at creation (otherwise they stay
        // credited, owed to the requester), with the same progress fields as payouts.
        m.registerMigration("v4-refund-payments", sql: """
            ALTER TABLE tasks ADD COLUMN refund_address TEXT;
            CREATE TABLE refunds_v4 (
                task_id TEXT NOT NULL PRIMARY KEY REFERENCES tasks(id),
                amount_msat INTEGER NOT NULL CHECK (amount_msat > 0),
                status TEXT NOT NULL CHECK (status IN ('credited', 'pending', 'settled', 'failed')),
                lightning_address TEXT,
                invoice TEXT,
                payment_hash TEXT UNIQUE,
                preimage TEXT,
                routing_fee_msat INTEGER NOT NULL DEFAULT 0 CHECK (routing_fee_msat >= 0),
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at INTEGER,
                settled_at INTEGER,
                failure_reason TEXT,
                created_at INTEGER NOT NULL,
                CHECK (status != 'settled' OR preimage IS NOT NULL),
                CHECK (status = 'credited' OR lightning_address IS NOT NULL)
            );
            INSERT INTO refunds_v4 (task_id, amount_msat, status, created_at)
                SELECT task_id, amount_msat, status, created_at FROM refunds;
            DROP TABLE refunds;
            ALTER TABLE refunds_v4 RENAME TO refunds;
            CREATE INDEX refunds_due ON refunds (next_attempt_at, task_id) WHERE status = 'pending';
            CREATE TRIGGER refunds_amount_is_final BEFORE UPDATE OF task_id, amount_msat ON refunds
            BEGIN SELECT RAISE(ABORT, 'refund amounts are final once recorded'); END;
            """)
        return m
    }
}
