import type { Migration } from '../sqlite.js';

/** app.db: projects, settings, releases. Timestamps are integer milliseconds since the epoch. */
export const APP_MIGRATIONS: readonly Migration[] = [
  `
  CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    public_key TEXT NOT NULL UNIQUE,
    platform TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE releases (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    event_count INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, version)
  ) WITHOUT ROWID;
  `,
  // v2: bearer tokens for MCP clients. Only a SHA-256 of each token is kept: tokens are 256 random
  // bits, so a fast hash is as good as a slow one and the check costs one indexed lookup.
  `
  CREATE TABLE access_tokens (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
  );
  CREATE UNIQUE INDEX access_tokens_active_name ON access_tokens (name) WHERE revoked_at IS NULL;
  `,
  // ---- API tokens + OAuth for MCP clients (issue 7) ----
  // Scoped API tokens: scopes NULL marks a token minted before scopes existed (an MCP token, read
  // and write). OAuth for /mcp: registered clients, one-time authorization codes, grants (one
  // consent and its chain of refresh tokens, revoked as a whole on reuse) and their tokens. Codes
  // and tokens are stored as SHA-256 only, like access tokens.
  `
  ALTER TABLE access_tokens ADD COLUMN scopes TEXT;
  ALTER TABLE access_tokens ADD COLUMN project_id INTEGER REFERENCES projects(id) ON DELETE CASCADE;
  ALTER TABLE access_tokens ADD COLUMN user_id INTEGER;
  ALTER TABLE access_tokens ADD COLUMN expires_at INTEGER;
  CREATE TABLE oauth_clients (
    id INTEGER PRIMARY KEY,
    client_id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    client_uri TEXT,
    source TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    refreshed_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
  );
  CREATE TABLE oauth_codes (
    code_hash TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    scopes TEXT NOT NULL,
    resource TEXT NOT NULL,
    user_id INTEGER,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    grant_id INTEGER
  ) WITHOUT ROWID;
  CREATE TABLE oauth_grants (
    id INTEGER PRIMARY KEY,
    client_id TEXT NOT NULL REFERENCES oauth_clients(client_id) ON DELETE CASCADE,
    user_id INTEGER,
    scopes TEXT NOT NULL,
    resource TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER,
    revoked_reason TEXT
  );
  CREATE INDEX oauth_grants_client ON oauth_grants (client_id);
  CREATE TABLE oauth_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id INTEGER NOT NULL REFERENCES oauth_grants(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    rotated_at INTEGER,
    revoked_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX oauth_tokens_grant ON oauth_tokens (grant_id);
  CREATE INDEX oauth_tokens_expiry ON oauth_tokens (expires_at);
  `,
  // Login (issue 7, H1): people who signed in through the OIDC/GitHub provider, and their
  // server-side sessions (only a SHA-256 of the cookie value is stored, as for tokens: 256 random
  // bits need no slow hash). A row per session makes logout and revocation immediate.
  `
  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT,
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_login_at INTEGER NOT NULL,
    UNIQUE (provider, subject)
  );
  CREATE INDEX users_email ON users (email);
  CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    idp_sid TEXT,
    id_token TEXT,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    idle_expires_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX sessions_user ON sessions (user_id);
  CREATE INDEX sessions_idp_sid ON sessions (idp_sid) WHERE idp_sid IS NOT NULL;
  `,
  // Operations (issue 8, H5): the audit trail of settings changes (before/after as JSON), and the
  // scheduler lease: one row per lease, held by one process until `expires_at` unless renewed, so
  // one scheduler runs however many Snag processes share the data dir.
  `
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before TEXT,
    after TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX audit_log_by_time ON audit_log (created_at DESC, id DESC);
  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    acquired_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  // Releases and deploys (issue 8, H4). A release can exist before its first event (`sentry-cli
  // releases new`, a deploy), so first/last seen become nullable: SQLite cannot drop NOT NULL in
  // place, so the table (one row per release) is rebuilt. Releases from before get created_at =
  // first_seen and a transaction count of 0 (transactions were not counted). A deploy's marker
  // time is when it finished (Sentry's dateFinished, which sentry-cli always sends).
  `
  CREATE TABLE releases_rebuilt (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    first_seen INTEGER,
    last_seen INTEGER,
    event_count INTEGER NOT NULL DEFAULT 0,
    transaction_count INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    released_at INTEGER,
    url TEXT,
    PRIMARY KEY (project_id, version)
  ) WITHOUT ROWID;
  INSERT INTO releases_rebuilt (project_id, version, first_seen, last_seen, event_count, created_at)
    SELECT project_id, version, first_seen, last_seen, event_count, first_seen FROM releases;
  DROP TABLE releases;
  ALTER TABLE releases_rebuilt RENAME TO releases;

  CREATE TABLE deploys (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    environment TEXT NOT NULL,
    name TEXT,
    url TEXT,
    started_at INTEGER,
    finished_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX deploys_by_time ON deploys (project_id, finished_at);
  CREATE INDEX deploys_by_release ON deploys (project_id, version, finished_at);
  `,
  // Alerts (H3): channels, rules per project, the delivery log that doubles as the send queue,
  // cooldowns per rule and issue/endpoint, and the alerts loop's cursor over errors.db's outbox.
  // Changes to channels and rules go to the shared audit_log.
  `
  -- AUTOINCREMENT: the delivery log names channels and rules by id, so ids are never reused.
  CREATE TABLE alert_channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('email', 'ntfy', 'slack', 'discord', 'webhook')),
    config TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE alert_rules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    trigger TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    environment TEXT,
    min_level TEXT,
    threshold REAL,
    min_events INTEGER,
    window_minutes INTEGER,
    endpoint TEXT,
    cooldown_seconds INTEGER NOT NULL,
    email_to TEXT NOT NULL DEFAULT '[]',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX alert_rules_by_project ON alert_rules (project_id, trigger);
  CREATE TABLE alert_rule_channels (
    rule_id INTEGER NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
    channel_id INTEGER NOT NULL REFERENCES alert_channels(id) ON DELETE CASCADE,
    PRIMARY KEY (rule_id, channel_id)
  ) WITHOUT ROWID;
  CREATE TABLE alert_deliveries (
    id INTEGER PRIMARY KEY,
    dedupe_key TEXT UNIQUE,
    rule_id INTEGER,
    channel_id TEXT NOT NULL,
    channel_name TEXT NOT NULL,
    channel_type TEXT NOT NULL,
    project_id INTEGER,
    issue_id INTEGER,
    trigger TEXT NOT NULL,
    message TEXT NOT NULL,
    extra_to TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    sent_at INTEGER
  );
  CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at) WHERE status = 'pending';
  CREATE TABLE alert_cooldowns (
    rule_key TEXT NOT NULL,
    subject TEXT NOT NULL,
    last_sent_at INTEGER NOT NULL,
    suppressed INTEGER NOT NULL DEFAULT 0,
    last_fact TEXT NOT NULL,
    PRIMARY KEY (rule_key, subject)
  ) WITHOUT ROWID;
  CREATE INDEX alert_cooldowns_suppressed ON alert_cooldowns (last_sent_at) WHERE suppressed > 0;
  CREATE TABLE alert_cursors (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
  );
  `,
];
