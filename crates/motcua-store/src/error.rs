//! Storage errors, mapped once to HTTP problems at the web edge.

/// What went wrong while reading or writing.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another writer changed the aggregate first (optimistic concurrency), or a unique key
    /// already exists.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The thing asked for does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// A rule of the domain refused the change; `code` is stable and machine-readable.
    #[error("rejected ({code}): {message}")]
    Rejected { code: &'static str, message: String },
    /// The database URL or settings are wrong.
    #[error("configuration: {0}")]
    Config(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database writer stopped")]
    WriterGone,
    /// The transaction could not be committed (disk full, connection lost): nothing was saved.
    #[error("the commit failed; nothing was saved")]
    CommitFailed,
}

impl StoreError {
    pub fn rejected(code: &'static str, message: impl Into<String>) -> Self {
        StoreError::Rejected {
            code,
            message: message.into(),
        }
    }

    /// Map unique-key violations to [`StoreError::Conflict`] so callers answer 409, not 500.
    pub fn from_sqlx(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e
            && d.is_unique_violation()
        {
            return StoreError::Conflict(d.message().to_owned());
        }
        // PostgreSQL deadlock or serialization failure between concurrent writers: retryable.
        if let sqlx::Error::Database(d) = &e
            && matches!(d.code().as_deref(), Some("40P01") | Some("40001"))
        {
            return StoreError::Conflict(d.message().to_owned());
        }
        StoreError::Database(e)
    }
}
