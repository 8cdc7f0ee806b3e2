//! SQL for analysts (issue 7): the catalog of queryable objects, the read-only rule, result
//! formats, the interactive shell (`misura sql`) and the PostgreSQL-protocol server
//! (`misura serve`), which follows a run folder as new runs are published.

pub mod follow;
pub mod format;
pub mod guard;
pub mod server;
pub mod session;
pub mod shell;

pub use session::SqlSession;
