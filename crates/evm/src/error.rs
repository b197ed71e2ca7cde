//! Errors: an invalid transaction (never executed, no receipt) or a database failure.

/// Why a transaction is invalid: the transaction validator's error, from `ember-transaction`.
pub use ember_transaction::InvalidTransaction;

/// What can stop a transaction from producing a result.
#[derive(Debug, thiserror::Error)]
pub enum EvmError<DbError> {
    /// The transaction is invalid.
    #[error("invalid transaction: {0}")]
    Transaction(#[from] InvalidTransaction),
    /// The database failed.
    #[error("database error: {0}")]
    Database(DbError),
}
